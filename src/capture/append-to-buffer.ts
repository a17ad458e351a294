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
  // One parameter per payload: an array parameter would make the driver escape every byte of
  // every payload into an array literal, which cost more than the rest of capture.
  const values: unknown[] = [batch.projectId, batch.receivedAt];
  const rows: string[] = [];
  for (const [shard, lines] of byShard) {
    values.push(shard, lines.length, lines.join('\n'));
    const n = values.length;
    rows.push(`($${n - 2}::smallint, $1::integer, $2::timestamptz, $${n - 1}::integer, $${n}::text)`);
  }
  await runQuery(db, 'capture.append_buffer',
    `INSERT INTO ingestion_buffer (shard, project_id, received_at, event_count, events) VALUES ${rows.join(', ')}`, values);
}
