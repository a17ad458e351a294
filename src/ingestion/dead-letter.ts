import { runQuery, type PoolClient } from '../db/pool.ts';

/** Moves the oldest buffer row of `shards` aside with the error that stopped it. */
export async function deadLetterOldestRow(client: PoolClient, shards: number[], error: string): Promise<number | undefined> {
  const { rows } = await runQuery<{ id: number }>(client, 'worker.dead_letter',
    `WITH oldest AS (
       DELETE FROM ingestion_buffer WHERE id = (SELECT min(id) FROM ingestion_buffer WHERE shard = ANY($1::smallint[]))
       RETURNING *
     )
     INSERT INTO ingestion_dead_letters (id, shard, project_id, received_at, event_count, events, error)
     SELECT id, shard, project_id, received_at, event_count, events, $2 FROM oldest
     RETURNING id`,
    [shards, error.slice(0, 2000)]);
  return rows[0]?.id;
}
