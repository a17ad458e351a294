import { clickHouseLifecyclePersonsQuery, clickHouseLifecycleQuery } from '../clickhouse/clickhouse-lifecycle.ts';
import { runEventsQuery } from '../events-query.ts';
import { resolveRange, type ResolvedRange } from '../filters/date-range.ts';
import { matchEntity, type EntityMatcher } from '../filters/entity-condition.ts';
import type { PropertyGroup } from '../filters/filter-condition.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import { seriesOf, type InsightFilter } from '../insight-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { SqlParams } from '../sql-params.ts';
import { bucketLabels } from '../trends/bucket-labels.ts';
import { inQuarterHours } from '../filters/person-presence.ts';

export const lifecycleStatuses = ['new', 'returning', 'resurrecting', 'dormant'] as const;
export type LifecycleStatus = typeof lifecycleStatuses[number];

/** What both stores' lifecycle SQL is built from. */
export interface LifecycleInput { entity: EntityMatcher; properties: PropertyGroup; range: ResolvedRange; lookbackFrom: Date }

export interface LifecycleResult { status: LifecycleStatus; label: string; data: number[]; count: number; labels: string[]; days: string[] }

// Activity one interval before the range tells returning from resurrecting on its first interval
// (a day is 25 hours at most, a month 31 days).
const lookbackMs = { minute: 60_000, hour: 3_600_000, day: 90_000_000, week: 608_400_000, month: 2_682_000_000 } as const;

/**
 * (person, bucket, status) rows: active persons are new (first seen in this interval),
 * returning (active in the previous one too) or resurrecting (seen before, not in the previous
 * one); dormant persons were active in the previous interval and not in this one.
 */
function lifecycleRows(context: InsightContext, input: LifecycleInput, params: SqlParams): string {
  const { entity, range } = input;
  const d = context.dialect;
  const tz = params.add(context.project.timezone);
  const step = d.step(range.interval);
  const bucketOf = (timestamp: string) => d.bucketStart(range.interval, d.localTime(timestamp, tz), context.project.weekStartDay);
  const first = `${params.add(range.buckets[0])}::timestamp`;
  const activity = `SELECT DISTINCT ${eventPersonId} AS person_id, ${bucketOf('e.timestamp')} AS bucket
    FROM ${eventSource({ context, params, from: input.lookbackFrom, to: range.to, entities: [entity], properties: input.properties, presence: inQuarterHours(range.interval) })}`;
  // One pass over each person's buckets in order tells the previous one, the next one and the
  // first: no self-joins, and no correlated subqueries (those would rescan the activity per row).
  return `WITH activity AS (${activity}),
    marked AS (
      SELECT person_id, bucket, lag(bucket) OVER w AS previous_bucket, lead(bucket) OVER w AS next_bucket, first_value(bucket) OVER w AS first_bucket
      FROM activity WINDOW w AS (PARTITION BY person_id ORDER BY bucket))
    SELECT a.person_id, a.bucket,
      CASE WHEN ${bucketOf('p.created_at')} = a.bucket THEN 'new'
           WHEN a.previous_bucket = a.bucket - ${step} THEN 'returning'
           WHEN p.created_at IS NULL AND a.first_bucket = a.bucket THEN 'new'
           ELSE 'resurrecting' END AS status
    FROM marked a
    LEFT JOIN persons p ON p.project_id = ${params.add(context.project.id)} AND p.uuid = a.person_id
    WHERE a.bucket >= ${first}
    UNION ALL
    SELECT person_id, bucket + ${step}, 'dormant' FROM marked
    WHERE next_bucket IS DISTINCT FROM bucket + ${step} AND bucket + ${step} >= ${first} AND bucket + ${step} <= ${params.add(range.buckets.at(-1))}::timestamp`;
}

async function lifecycleInput(context: InsightContext, filter: InsightFilter): Promise<LifecycleInput> {
  const series = seriesOf(filter);
  if (series.length !== 1) throw new InvalidQueryError('lifecycle takes exactly one series', 'events');
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  const entity = await matchEntity(context, series[0]!);
  return { entity, properties: filter.properties, range, lookbackFrom: new Date(range.from.getTime() - lookbackMs[range.interval]) };
}

/** PostHog's lifecycle: four series, dormant counted negative. */
export async function getLifecycle(context: InsightContext, filter: InsightFilter): Promise<LifecycleResult[]> {
  const input = await lifecycleInput(context, filter);
  const { range } = input;
  const found = await runEventsQuery<{ bucket: string; status: LifecycleStatus; persons: number | string }>(context, 'insights.lifecycle', () => {
    const params = new SqlParams();
    return { text: `SELECT ${context.dialect.bucketKey('bucket')} AS bucket, status, count(*) AS persons FROM (${lifecycleRows(context, input, params)}) r GROUP BY 1, 2`, values: params.values };
  }, (store) => clickHouseLifecycleQuery(context, store, input));
  const rows = found.map((row) => ({ ...row, persons: Number(row.persons) }));
  const position = new Map(range.buckets.map((bucket, index) => [bucket, index]));
  const { labels, days } = bucketLabels(range.buckets, range.interval);
  const series = new Map(lifecycleStatuses.map((status) => [status, range.buckets.map(() => 0)]));
  for (const row of rows) {
    const index = position.get(row.bucket);
    if (index !== undefined) series.get(row.status)![index] = row.status === 'dormant' ? -row.persons : row.persons;
  }
  return lifecycleStatuses.map((status) => {
    const data = series.get(status)!;
    return { status, label: status, data, count: data.reduce((sum, value) => sum + value, 0), labels, days };
  });
}

export async function getLifecyclePersonIds(context: InsightContext, filter: InsightFilter, status: LifecycleStatus, bucket: string): Promise<string[]> {
  const input = await lifecycleInput(context, filter);
  const rows = await runEventsQuery<{ person_id: string }>(context, 'insights.lifecycle_persons', () => {
    const params = new SqlParams();
    const rowsSql = lifecycleRows(context, input, params);
    return { text: `SELECT person_id::text FROM (${rowsSql}) r WHERE status = ${params.add(status)} AND ${context.dialect.bucketKey('bucket')} = ${params.add(bucket)}`, values: params.values };
  }, (store) => clickHouseLifecyclePersonsQuery(context, store, input, status, bucket));
  return rows.map((row) => row.person_id);
}
