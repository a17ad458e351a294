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
const duplicateWindowMs = 86_400_000;

/** Runs of rows whose timestamps lie within the window of each other: one probe each, over a narrow time range. */
function timeClusters(rows: BufferedEvent[]): BufferedEvent[][] {
  const sorted = [...rows].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const clusters: BufferedEvent[][] = [];
  for (const row of sorted) {
    const current = clusters.at(-1);
    if (current && row.timestamp.getTime() - current.at(-1)!.timestamp.getTime() <= duplicateWindowMs) current.push(row);
    else clusters.push([row]);
  }
  return clusters;
}

/**
 * Drops events already stored (a client that retried after its first request succeeded):
 * the same project, uuid and event within a day of the timestamp. One query per time cluster
 * of the batch (usually one): its time range and event names prune a partitioned `events` to
 * the partitions around the batch, and the uuid list is hidden from the planner in a sub-select
 * so planning does not estimate thousands of array elements per partition.
 */
export async function dropStoredEvents(client: PoolClient, rows: BufferedEvent[]): Promise<BufferedEvent[]> {
  const stored = new Map<string, number[]>();
  for (const cluster of timeClusters(rows)) {
    const { rows: found } = await runQuery<{ project_id: number; uuid: string; event: string; timestamp: Date }>(client, 'worker.find_stored_events',
      `SELECT project_id, uuid::text, event, timestamp FROM events
       WHERE project_id = ANY($1::int[]) AND event = ANY($2::text[]) AND timestamp >= $3 AND timestamp <= $4
         AND uuid = ANY((SELECT $5::uuid[])::uuid[])`,
      [[...new Set(cluster.map((row) => row.projectId))], [...new Set(cluster.map((row) => row.event))],
        new Date(cluster[0]!.timestamp.getTime() - duplicateWindowMs), new Date(cluster.at(-1)!.timestamp.getTime() + duplicateWindowMs),
        cluster.map((row) => row.uuid)]);
    for (const row of found) {
      const key = `${row.project_id}:${row.uuid}:${row.event}`;
      stored.set(key, [...stored.get(key) ?? [], row.timestamp.getTime()]);
    }
  }
  if (stored.size === 0) return rows;
  return rows.filter((row) => !stored.get(`${row.projectId}:${row.uuid}:${row.event}`)
    ?.some((time) => Math.abs(time - row.timestamp.getTime()) <= duplicateWindowMs));
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
