import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { runQuery, type PoolClient } from '../db/pool.ts';
import type { BufferedEvent } from './buffered-batch.ts';

/** Events repeated inside one batch (a request sent twice, both in the buffer): keeps the first. */
export function dropRepeatedEvents(rows: BufferedEvent[]): BufferedEvent[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = `${row.projectId}:${row.uuid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Drops events already stored (a client that retried after its first request succeeded).
 * Only run after the unique index refused a batch: probing every batch would cost as much as
 * the COPY itself once the index no longer fits in memory.
 */
export async function dropStoredEvents(client: PoolClient, rows: BufferedEvent[]): Promise<BufferedEvent[]> {
  const uuidsByProject = new Map<number, string[]>();
  for (const row of rows) {
    const list = uuidsByProject.get(row.projectId);
    if (list) list.push(row.uuid);
    else uuidsByProject.set(row.projectId, [row.uuid]);
  }
  const storedKeys = new Set<string>();
  for (const [projectId, uuids] of uuidsByProject) {
    const { rows: stored } = await runQuery<{ uuid: string }>(client, 'worker.find_stored_events',
      'SELECT uuid::text FROM events WHERE project_id = $1 AND uuid = ANY($2::uuid[])', [projectId, uuids]);
    for (const row of stored) storedKeys.add(`${projectId}:${row.uuid}`);
  }
  return storedKeys.size === 0 ? rows : rows.filter((row) => !storedKeys.has(`${row.projectId}:${row.uuid}`));
}

export function isDuplicateEventError(error: unknown): boolean {
  return (error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'events_project_uuid';
}

// Lines are sent in chunks of this size: one CopyData message per line would cost more than the rows.
const chunkBytes = 256 * 1024;

function* copyChunks(rows: BufferedEvent[]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    const [event, distinctId, properties, elementsChain, timestamp] = row.copyFields;
    chunk += `${row.uuid}\t${row.projectId}\t${event}\t${distinctId}\t${row.personId ?? '\\N'}\t${properties}\t${elementsChain}\t${timestamp}\n`;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** One COPY for the whole batch. */
export async function copyEvents(client: PoolClient, rows: BufferedEvent[]): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyFrom(
    '/* worker.copy_events */ COPY events (uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp) FROM STDIN'));
  await pipeline(Readable.from(copyChunks(rows), { objectMode: false }), stream);
}
