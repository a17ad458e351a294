import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { runQuery, type PoolClient } from '../db/pool.ts';
import type { BufferedEvent } from './buffered-batch.ts';

/**
 * Drops events already stored (a client that retried after its first request succeeded) and
 * repeats inside the batch. Runs before the persons step so a replay cannot re-apply an old $set.
 */
export async function dropStoredEvents(client: PoolClient, rows: BufferedEvent[]): Promise<BufferedEvent[]> {
  const seen = new Set<string>();
  const unique = rows.filter((row) => {
    const key = `${row.projectId}:${row.uuid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return unique;
  // One index probe per project (`uuid = ANY`): a join against unnest() makes the planner scan events.
  const uuidsByProject = new Map<number, string[]>();
  for (const row of unique) {
    const list = uuidsByProject.get(row.projectId);
    if (list) list.push(row.uuid);
    else uuidsByProject.set(row.projectId, [row.uuid]);
  }
  const stored: Array<{ project_id: number; uuid: string }> = [];
  for (const [projectId, uuids] of uuidsByProject) {
    const { rows } = await runQuery<{ project_id: number; uuid: string }>(client, 'worker.find_stored_events',
      'SELECT project_id, uuid::text FROM events WHERE project_id = $1 AND uuid = ANY($2::uuid[])', [projectId, uuids]);
    stored.push(...rows);
  }
  if (stored.length === 0) return unique;
  const storedKeys = new Set(stored.map((row) => `${row.project_id}:${row.uuid}`));
  return unique.filter((row) => !storedKeys.has(`${row.projectId}:${row.uuid}`));
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
