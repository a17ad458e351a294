import { runQuery, type Queryable } from '../db/pool.ts';

/** Backlog of the ingestion buffer: rows, events, and how long the oldest has waited. */
export async function readBufferBacklog(db: Queryable) {
  const { rows } = await runQuery<{ rows: number; events: number | null; oldest_age_seconds: number | null }>(db, 'health.backlog',
    `SELECT count(*)::bigint AS rows, sum(event_count)::bigint AS events,
            extract(epoch FROM now() - min(received_at))::float8 AS oldest_age_seconds
     FROM ingestion_buffer`);
  const row = rows[0]!;
  return { rows: row.rows, events: row.events ?? 0, oldest_age_seconds: row.oldest_age_seconds ?? 0 };
}
