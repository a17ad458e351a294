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

// How far apart two copies of one event can be. A client's retry is re-timed by the clock-skew
// correction (now - sent_at), so the copy's timestamp trails the original by the retry delay:
// seconds for posthog-node, minutes for posthog-js. A day leaves room, and keeps the probe on
// the one or two weekly partitions around the event when `events` is partitioned.
export const duplicateWindow = '1 day';

/**
 * Drops events already stored (a client that retried after its first request succeeded):
 * the same project, uuid and event within `duplicateWindow` of the timestamp. One probe per
 * row on the (project_id, uuid, timestamp, event) index; under partitioning the executor
 * prunes each probe to the partitions of that row's event and day.
 */
export async function dropStoredEvents(client: PoolClient, rows: BufferedEvent[]): Promise<BufferedEvent[]> {
  if (rows.length === 0) return rows;
  const { rows: stored } = await runQuery<{ i: number }>(client, 'worker.find_stored_events',
    `SELECT b.i::int AS i
     FROM unnest($1::int[], $2::uuid[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS b(project_id, uuid, event, ts, i)
     WHERE EXISTS (SELECT 1 FROM events e
       WHERE e.project_id = b.project_id AND e.uuid = b.uuid AND e.event = b.event
         AND e.timestamp BETWEEN b.ts - $5::interval AND b.ts + $5::interval)`,
    [rows.map((row) => row.projectId), rows.map((row) => row.uuid), rows.map((row) => row.event),
      rows.map((row) => row.timestamp), duplicateWindow]);
  if (stored.length === 0) return rows;
  const storedIndexes = new Set(stored.map((row) => row.i - 1));
  return rows.filter((_, index) => !storedIndexes.has(index));
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
