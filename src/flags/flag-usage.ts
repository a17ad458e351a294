import { runQuery } from '../db/pool.ts';
import { clickHouseTable, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { propertyFromArrays } from '../clickhouse/hot-properties.ts';
import { ClickHouseParams } from '../query/clickhouse/clickhouse-params.ts';
import { resolveRange, type ResolvedRange } from '../query/filters/date-range.ts';
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

/** Evaluations and distinct ids per value served (day null), per day (value null) and in all (both null). */
interface UsageRow { value: string; day: string; evaluations: number; distinct_ids: number }

async function usageRows(context: InsightContext, flagKey: string, range: ResolvedRange): Promise<UsageRow[]> {
  // Plain comparisons on event and timestamp, so a partitioned events table is pruned.
  const { rows } = await runQuery<UsageRow>(context.db, 'flags.usage',
    `SELECT coalesce(properties ->> '$feature_flag_response', 'null') AS value,
            to_char(date_trunc('day', timestamp AT TIME ZONE $5), 'YYYY-MM-DD') AS day,
            count(*)::int AS evaluations,
            count(DISTINCT distinct_id)::int AS distinct_ids
     FROM events
     WHERE project_id = $1 AND event = '$feature_flag_called' AND properties ->> '$feature_flag' = $2
       AND timestamp >= $3 AND timestamp < $4
     GROUP BY GROUPING SETS ((value), (day), ())`,
    [context.project.id, flagKey, range.from, range.to, context.project.timezone]);
  return rows;
}

/** usageRows on ClickHouse, which has no GROUPING SETS in 18.16: the three groupings over one read of the events. */
async function clickHouseUsageRows(context: InsightContext, store: ClickHouseStore, flagKey: string, range: ResolvedRange): Promise<UsageRow[]> {
  const params = new ClickHouseParams();
  const property = (key: string) => propertyFromArrays('prop_keys', 'prop_values', key);
  const rows = await store.primary.query<{ value: string; day: string; evaluations: string; distinct_ids: string }>(`/* flags.usage */
    SELECT if(grouping = 'value', served, NULL) AS value, if(grouping = 'day', day, NULL) AS day,
      sum(evaluations) AS evaluations, uniqExactMerge(ids) AS distinct_ids
    FROM (
      SELECT ifNull(${property('$feature_flag_response')}, 'null') AS served,
        formatDateTime(toTimeZone(timestamp, ${params.add(context.project.timezone)}), '%Y-%m-%d') AS day,
        count() AS evaluations, uniqExactState(distinct_id) AS ids
      FROM ${clickHouseTable(store, 'events')}
      WHERE project_id = ${params.add(context.project.id)} AND event = '$feature_flag_called' AND ${property('$feature_flag')} = ${params.add(flagKey)}
        AND timestamp >= ${params.add(range.from)} AND timestamp < ${params.add(range.to)}
      GROUP BY served, day)
    ARRAY JOIN ['value', 'day', 'total'] AS grouping
    GROUP BY grouping, value, day`);
  return rows.map((row) => ({ value: row.value, day: row.day, evaluations: Number(row.evaluations), distinct_ids: Number(row.distinct_ids) }));
}

/** How often a flag was evaluated and what it served, from the `$feature_flag_called` events the SDKs send. */
export async function flagUsage(context: InsightContext, flagKey: string, range: { dateFrom?: string; dateTo?: string }): Promise<FlagUsage> {
  const resolved = await resolveRange(context, { dateFrom: range.dateFrom ?? '-7d', dateTo: range.dateTo, interval: 'day' });
  const rows = await (context.clickhouse ? clickHouseUsageRows(context, context.clickhouse, flagKey, resolved) : usageRows(context, flagKey, resolved));
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
