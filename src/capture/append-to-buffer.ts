import { runQuery, type Queryable } from '../db/pool.ts';
import { shardFor } from '../ingestion/shards.ts';
import type { AcceptedEvent } from './extract-events.ts';

export interface BufferAppend {
  projectId: number;
  receivedAt: Date;
  sentAt: Date | undefined;
  ip: string | undefined;
  events: AcceptedEvent[];
}

/**
 * Writes one request's events into the durable buffer, one row per shard, in a single
 * statement: when it returns, the events survive any crash and the SDK may be told 200.
 */
export async function appendToBuffer(db: Queryable, batch: BufferAppend): Promise<void> {
  const byShard = new Map<number, AcceptedEvent[]>();
  for (const event of batch.events) {
    const shard = shardFor(batch.projectId, event.distinct_id);
    const group = byShard.get(shard);
    if (group) group.push(event);
    else byShard.set(shard, [event]);
  }
  const shards: number[] = [];
  const counts: number[] = [];
  const payloads: string[] = [];
  for (const [shard, events] of byShard) {
    shards.push(shard);
    counts.push(events.length);
    payloads.push(JSON.stringify(events));
  }
  await runQuery(db, 'capture.append_buffer',
    `INSERT INTO ingestion_buffer (shard, project_id, received_at, sent_at, ip, event_count, events)
     SELECT shard, $2, $3, $4, $5, event_count, events
     FROM unnest($1::smallint[], $6::integer[], $7::text[]) AS rows (shard, event_count, events)`,
    [shards, batch.projectId, batch.receivedAt, batch.sentAt ?? null, batch.ip ?? null, counts, payloads]);
}
