import { inTransaction, runQuery, type Pool, type Queryable } from '../db/pool.ts';
import { countBucketMs, correctionShard } from './count-bucket.ts';
import { recountPropertyCounts, takePropertyCounts } from './property-counts.ts';

const addToCounts = `ON CONFLICT (project_id, event, bucket, shard) DO UPDATE SET events = event_counts.events + excluded.events`;

/**
 * A statement that runs `deleteReturning` (a DELETE on events ending in `RETURNING project_id,
 * event, timestamp, properties`) and takes what it deleted off event_counts and property_counts
 * in the same statement, so counts and events never disagree. It returns one row: `deleted`,
 * the number of events, and any `alsoSelect` columns, aggregates over `deleted` (the rows the
 * DELETE returned).
 */
export function deleteEventsAndCounts(deleteReturning: string, alsoSelect: string[] = []): string {
  return `WITH deleted AS (${deleteReturning}),
    taken AS (
      INSERT INTO event_counts (project_id, event, bucket, shard, events)
      SELECT project_id, event, sounder_count_bucket(timestamp), ${correctionShard}, -count(*) FROM deleted GROUP BY 1, 2, 3
      -- Two deletes at once update the same correction rows: in one order, so neither deadlocks.
      ORDER BY 1, 2, 3
      ${addToCounts}),
    taken_properties AS (${takePropertyCounts('deleted')})
    SELECT ${['count(*)::int AS deleted', ...alsoSelect].join(', ')} FROM deleted`;
}

/**
 * Forgets the counts (event_counts and property_counts) of buckets that end by `cutoff`, once
 * every event before it is gone (retention): whole weekly partitions are dropped without a
 * row-level delete to count.
 */
export async function forgetCountsBefore(db: Queryable, cutoff: Date, projectId?: number): Promise<void> {
  const values: unknown[] = [new Date(cutoff.getTime() - countBucketMs)];
  if (projectId !== undefined) values.push(projectId);
  for (const table of ['event_counts', 'property_counts']) {
    await runQuery(db, 'rollups.forget_counts_before',
      `DELETE FROM ${table} WHERE bucket <= $1${projectId !== undefined ? ' AND project_id = $2' : ''}`, values);
  }
}

/**
 * Counts a project's stored events again from scratch, in event_counts and property_counts, for
 * events that reached `events` without a worker (a restore, an import, a benchmark's COPY).
 * The table locks hold workers' count updates until the recount commits, so an event is
 * counted once whichever side of it its batch commits; their event writes go on meanwhile.
 */
export async function recountEvents(pool: Pool, projectId: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    await runQuery(client, 'rollups.recount_lock', 'LOCK TABLE event_counts IN SHARE ROW EXCLUSIVE MODE');
    await runQuery(client, 'rollups.recount_clear', 'DELETE FROM event_counts WHERE project_id = $1', [projectId]);
    const { rows: [counted] } = await runQuery<{ events: number }>(client, 'rollups.recount',
      `WITH counted AS (
         INSERT INTO event_counts (project_id, event, bucket, shard, events)
         SELECT project_id, event, sounder_count_bucket(timestamp), ${correctionShard}, count(*) FROM events WHERE project_id = $1 GROUP BY 1, 2, 3
         RETURNING events)
       SELECT coalesce(sum(events), 0)::float8 AS events FROM counted`,
      [projectId]);
    await recountPropertyCounts(client, projectId);
    return counted!.events;
  });
}

/** One row of event_counts: events of a project and event in the bucket starting `bucket`, filed under `shard`. */
export interface EventCount { projectId: number; event: string; bucket: Date; shard: number; events: number }

/** Adds counted events to event_counts, summed into what is there. */
export async function addEventCounts(db: Queryable, rows: EventCount[]): Promise<void> {
  if (rows.length === 0) return;
  // No ordering needed: a shard's rows are written only by the worker that owns the shard.
  await runQuery(db, 'rollups.add_event_counts',
    `INSERT INTO event_counts (project_id, event, bucket, shard, events)
     SELECT * FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::smallint[], $5::bigint[])
     ${addToCounts}`,
    [rows.map((row) => row.projectId), rows.map((row) => row.event), rows.map((row) => row.bucket), rows.map((row) => row.shard), rows.map((row) => row.events)]);
}
