import { runQuery } from '../db/pool.ts';
import { resolveRange } from '../query/filters/date-range.ts';
import type { InsightContext } from '../query/insight-context.ts';

export interface FlagUsage {
  flag: string;
  date_from: string;
  date_to: string;
  /** `$feature_flag_called` events: each is one evaluation an SDK reported. */
  evaluations: number;
  distinct_ids: number;
  /** Per value served ("true", "false", a variant key), most served first. */
  responses: Array<{ value: string; evaluations: number; distinct_ids: number }>;
  /** Evaluations per day of the project's time zone, every day of the range listed. */
  days: Array<{ day: string; evaluations: number }>;
}

/** How often a flag was evaluated and what it served, from the `$feature_flag_called` events the SDKs send. */
export async function flagUsage(context: InsightContext, flagKey: string, range: { dateFrom?: string; dateTo?: string }): Promise<FlagUsage> {
  const resolved = await resolveRange(context, { dateFrom: range.dateFrom ?? '-7d', dateTo: range.dateTo, interval: 'day' });
  const tz = context.project.timezone;
  // Plain comparisons on event and timestamp, so a partitioned events table is pruned.
  const { rows } = await runQuery<{ value: string; day: string; evaluations: number; distinct_ids: number }>(context.db, 'flags.usage',
    `SELECT coalesce(properties ->> '$feature_flag_response', 'null') AS value,
            to_char(date_trunc('day', timestamp AT TIME ZONE $5), 'YYYY-MM-DD') AS day,
            count(*)::int AS evaluations,
            count(DISTINCT distinct_id)::int AS distinct_ids
     FROM events
     WHERE project_id = $1 AND event = '$feature_flag_called' AND properties ->> '$feature_flag' = $2
       AND timestamp >= $3 AND timestamp < $4
     GROUP BY GROUPING SETS ((value), (day), ())`,
    [context.project.id, flagKey, resolved.from, resolved.to, tz]);
  const total = rows.find((row) => row.value === null && row.day === null);
  const perDay = new Map(rows.filter((row) => row.day !== null).map((row) => [row.day, row.evaluations]));
  return {
    flag: flagKey,
    date_from: resolved.from.toISOString(),
    date_to: resolved.to.toISOString(),
    evaluations: total?.evaluations ?? 0,
    distinct_ids: total?.distinct_ids ?? 0,
    responses: rows.filter((row) => row.value !== null && row.day === null)
      .sort((a, b) => b.evaluations - a.evaluations || a.value.localeCompare(b.value))
      .map(({ value, evaluations, distinct_ids }) => ({ value, evaluations, distinct_ids })),
    days: resolved.buckets.map((bucket) => {
      const day = bucket.slice(0, 10);
      return { day, evaluations: perDay.get(day) ?? 0 };
    }),
  };
}
