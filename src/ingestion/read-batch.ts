import { runQuery, type PoolClient } from '../db/pool.ts';
import { decodeBufferLines } from './buffer-format.ts';
import type { BufferedEvent } from './buffered-batch.ts';

interface BufferRow { id: number; project_id: number; events: string }

export interface ClaimedBatch { bufferIds: number[]; events: BufferedEvent[] }

/**
 * The oldest buffer rows of the shards this worker owns, in arrival order, up to about
 * `maxEvents` events (always at least one row, however large).
 */
export async function readBatch(client: PoolClient, shards: number[], maxEvents: number): Promise<ClaimedBatch> {
  const { rows } = await runQuery<BufferRow>(client, 'worker.read_buffer',
    `SELECT id, project_id, events FROM (
       SELECT id, project_id, events, sum(event_count) OVER (ORDER BY id) - event_count AS events_before
       FROM (SELECT * FROM ingestion_buffer WHERE shard = ANY($1::smallint[]) ORDER BY id LIMIT $2) oldest
     ) counted
     WHERE events_before < $3
     ORDER BY id`,
    [shards, Math.max(1, Math.ceil(maxEvents / 10)), maxEvents]);
  const events: BufferedEvent[] = [];
  for (const row of rows) events.push(...decodeBufferLines(row.events, row.project_id, Number(row.id)));
  return { bufferIds: rows.map((row) => row.id), events };
}

export async function deleteBufferRows(client: PoolClient, ids: number[]): Promise<void> {
  await runQuery(client, 'worker.delete_buffer', 'DELETE FROM ingestion_buffer WHERE id = ANY($1::bigint[])', [ids]);
}
