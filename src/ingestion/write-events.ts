import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { runQuery, type PoolClient } from '../db/pool.ts';
import type { EventRow } from './buffered-batch.ts';
import { copyLine } from './copy-text.ts';
import { toStorableJson } from './sanitise-json.ts';

/**
 * Drops events already stored (a client that retried after its first request succeeded) and
 * repeats inside the batch. Runs before the persons step so a replay cannot re-apply an old $set.
 */
export async function dropStoredEvents(client: PoolClient, rows: EventRow[]): Promise<EventRow[]> {
  const seen = new Set<string>();
  const unique = rows.filter((row) => {
    const key = `${row.projectId}:${row.uuid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return unique;
  const { rows: stored } = await runQuery<{ project_id: number; uuid: string }>(client, 'worker.find_stored_events',
    `SELECT e.project_id, e.uuid FROM unnest($1::integer[], $2::uuid[]) AS wanted (project_id, uuid)
     JOIN events e ON e.project_id = wanted.project_id AND e.uuid = wanted.uuid`,
    [unique.map((row) => row.projectId), unique.map((row) => row.uuid)]);
  if (stored.length === 0) return unique;
  const storedKeys = new Set(stored.map((row) => `${row.project_id}:${row.uuid}`));
  return unique.filter((row) => !storedKeys.has(`${row.projectId}:${row.uuid}`));
}

// Lines are sent in chunks of this size: one CopyData message per line would cost more than the rows.
const chunkBytes = 256 * 1024;

function* copyChunks(rows: EventRow[]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine([row.uuid, String(row.projectId), row.event, row.distinctId, row.personId,
      toStorableJson(row.properties), row.elementsChain.replace(/\0/g, ''), row.timestamp.toISOString()]);
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** One COPY for the whole batch. */
export async function copyEvents(client: PoolClient, rows: EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyFrom(
    '/* worker.copy_events */ COPY events (uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp) FROM STDIN'));
  await pipeline(Readable.from(copyChunks(rows), { objectMode: false }), stream);
}
