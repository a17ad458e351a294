import { runQuery, type Queryable } from '../db/pool.ts';
import { encodeBufferLine } from '../ingestion/buffer-format.ts';
import { shardFor } from '../ingestion/shards.ts';
import type { NormalisedEvent } from './normalise-event.ts';

export interface BufferAppend {
  projectId: number;
  receivedAt: Date;
  events: NormalisedEvent[];
}

/**
 * Writes one request's events into the durable buffer, one row per shard, in a single
 * statement: when it returns, the events survive any crash and the SDK may be told 200.
 */
export async function appendToBuffer(db: Queryable, batch: BufferAppend): Promise<void> {
  const byShard = new Map<number, string[]>();
  for (const event of batch.events) {
    const shard = shardFor(batch.projectId, event.distinctId);
    const line = encodeBufferLine(event);
    const group = byShard.get(shard);
    if (group) group.push(line);
    else byShard.set(shard, [line]);
  }
  const shards: number[] = [];
  const counts: number[] = [];
  const payloads: string[] = [];
  for (const [shard, lines] of byShard) {
    shards.push(shard);
    counts.push(lines.length);
    payloads.push(lines.join('\n'));
  }
  await runQuery(db, 'capture.append_buffer',
    `INSERT INTO ingestion_buffer (shard, project_id, received_at, event_count, events)
     SELECT shard, $2, $3, event_count, events
     FROM unnest($1::smallint[], $4::integer[], $5::text[]) AS rows (shard, event_count, events)`,
    [shards, batch.projectId, batch.receivedAt, counts, payloads]);
}
