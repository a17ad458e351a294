import type { Dialect } from '../dialects/dialect.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import type { PropertyGroup } from '../filters/filter-condition.ts';
import type { ResolvedRange } from '../filters/date-range.ts';
import type { InsightContext } from '../insight-context.ts';
import type { MathKind } from '../insight-filter.ts';
import { SqlParams } from '../sql-params.ts';
import { countedBreakdownValuesQuery, countedSeriesQuery, countedTotalQuery } from './counted-series.ts';
import { inQuarterHours, onQuarterHour } from '../filters/person-presence.ts';
import { breakdownSql, type BreakdownSpec } from './breakdown-value.ts';

export interface SeriesSpec {
  entity: EntityMatcher;
  math: MathKind;
  mathProperty?: string | null;
  properties: PropertyGroup;
  breakdown?: BreakdownSpec;
  /** Extra conditions on the events (a cohort breakdown's membership), given the params they bind. */
  extraConditions?: (params: SqlParams) => string[];
  /** The cohort those conditions are membership of (how a store without the Postgres printer prints them). */
  cohort?: number;
}

const fractions: Partial<Record<MathKind, number>> = { median: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };
/** Days of activity behind each point of weekly and monthly active users. */
export const activeDays: Partial<Record<MathKind, number>> = { weekly_active: 7, monthly_active: 30 };

/** The series' math over its rows; `weighted`: the rows carry e.events (see eventSource). */
function aggregate(d: Dialect, spec: SeriesSpec, params: SqlParams, weighted = false): string {
  const value = () => d.numeric(d.jsonText('e.properties', params.add(spec.mathProperty)));
  switch (spec.math) {
    case 'total': return weighted ? 'sum(e.events)' : 'count(*)';
    case 'dau': case 'weekly_active': case 'monthly_active': return `count(DISTINCT ${eventPersonId})`;
    case 'unique_session': return `count(DISTINCT nullif(${d.jsonText('e.properties', "'$session_id'")}, ''))`;
    case 'sum': return `coalesce(sum(${value()}), 0)`;
    case 'avg': return `avg(${value()})`;
    case 'min': return `min(${value()})`;
    case 'max': return `max(${value()})`;
    default: return d.percentile(fractions[spec.math]!, value());
  }
}

/**
 * The events of a series, and what the caller reads of them, in buckets of a quarter hour or
 * longer (or over the whole range): `persons`, who was active, or `counts`, events counted by
 * person and time (from e.events). Then person activity may stand in for the events, unless an
 * event property breaks them down.
 */
function source(context: InsightContext, spec: SeriesSpec, params: SqlParams, from: Date, to: Date, reads: 'events' | 'persons' | 'counts' = 'events', within: string[] = []): string {
  return eventSource({
    context, params, from, to, entities: [spec.entity], properties: spec.properties,
    joinPersons: spec.breakdown?.type === 'person', extraConditions: [...spec.extraConditions?.(params) ?? [], ...within],
    // A cohort breakdown's extra condition is membership, which reads only the person.
    presence: reads !== 'events' && spec.breakdown?.type !== 'event' && (spec.extraConditions === undefined || spec.cohort !== undefined),
    weighted: reads === 'counts',
  });
}

/** What a series' query reads of its rows: who was active (`persons`) or how many events (`counts`) when activity could say, else `events`. */
function readsOf(math: SeriesSpec['math'], wholeQuarters: boolean): 'events' | 'persons' | 'counts' {
  if (!wholeQuarters) return 'events';
  return math === 'total' ? 'counts' : math === 'dau' ? 'persons' : 'events';
}

/**
 * Rows (bucket, breakdown, value) of one series over `range`. Weekly and monthly active users
 * count, for each bucket, the persons active in the 7 or 30 days ending with it, so the events
 * read start that many days before the range.
 */
export function seriesQuery(context: InsightContext, spec: SeriesSpec, range: ResolvedRange, cumulativePersons = false): { text: string; values: unknown[] } {
  const d = context.dialect;
  const params = new SqlParams();
  const tz = params.add(context.project.timezone);
  const local = d.localTime('e.timestamp', tz);
  const bucket = d.bucketStart(range.interval, local, context.project.weekStartDay);
  const breakdown = spec.breakdown ? breakdownSql(d, spec.breakdown, params) : 'NULL::text';
  const days = activeDays[spec.math];
  if (days) {
    // Each window starts 7 or 30 days before its bucket's end, and the last ends at range.to:
    // activity, filed by quarter hour, can stand in only when that is on a quarter hour.
    const from = new Date(range.from.getTime() - days * 86_400_000);
    const localTo = d.localTime(`${params.add(range.to)}::timestamptz`, tz);
    const text = `WITH buckets AS (
        SELECT b AS start_local, least(b + ${d.step(range.interval)}, ${localTo}) AS end_local FROM unnest(${params.add(range.buckets)}::timestamp[]) AS b),
      active AS (
        SELECT ${local} AS local, ${breakdown} AS breakdown, ${eventPersonId} AS person_id
        FROM ${source(context, spec, params, from, range.to, inQuarterHours(range.interval) && onQuarterHour(range.to) ? 'persons' : 'events')})
      SELECT ${d.bucketKey('b.start_local')} AS bucket, a.breakdown, count(DISTINCT a.person_id) AS value
      FROM buckets b JOIN active a ON a.local >= b.end_local - interval '${days} days' AND a.local < b.end_local
      GROUP BY 1, 2`;
    return { text, values: params.values };
  }
  if (cumulativePersons) {
    // Cumulative unique persons: each person counts once, in the bucket they were first seen.
    const text = `SELECT ${d.bucketKey('first_bucket')} AS bucket, breakdown, count(*) AS value FROM (
        SELECT min(${bucket}) AS first_bucket, ${breakdown} AS breakdown, ${eventPersonId} AS person_id
        FROM ${source(context, spec, params, range.from, range.to, inQuarterHours(range.interval) ? 'persons' : 'events')} GROUP BY 2, 3) firsts
      GROUP BY 1, 2`;
    return { text, values: params.values };
  }
  const counted = countedSeriesQuery(context, spec, range);
  if (counted) return counted;
  if (spec.math === 'dau') {
    // Distinct persons counted bucket by bucket, each a hash aggregate over its own slice of the
    // rows: one aggregate over every (bucket, person) of the range held a few hundred thousand
    // groups and spilled to disk (10M events, DAU over 30 days); count(DISTINCT) would sort.
    const within = [`e.timestamp >= ${d.instant('b.start_local', tz)}`, `e.timestamp < ${d.instant(`(b.start_local + ${d.step(range.interval)})`, tz)}`];
    const text = `SELECT ${d.bucketKey('b.start_local')} AS bucket, counted.breakdown, counted.value
      FROM unnest(${params.add(range.buckets)}::timestamp[]) AS b(start_local),
      LATERAL (
        SELECT breakdown, count(*) AS value FROM (
          SELECT DISTINCT ${breakdown} AS breakdown, ${eventPersonId} AS person_id
          FROM ${source(context, spec, params, range.from, range.to, readsOf(spec.math, inQuarterHours(range.interval)), within)}) persons
        GROUP BY 1) counted`;
    return { text, values: params.values };
  }
  // Grouped by the bucket's timestamp; only the grouped rows are turned into text keys.
  const reads = readsOf(spec.math, inQuarterHours(range.interval));
  const text = `SELECT ${d.bucketKey('bucket')} AS bucket, breakdown, value FROM (
      SELECT ${bucket} AS bucket, ${breakdown} AS breakdown, ${aggregate(d, spec, params, reads === 'counts')} AS value
      FROM ${source(context, spec, params, range.from, range.to, reads)}
      GROUP BY 1, 2) grouped`;
  return { text, values: params.values };
}

/** Rows (breakdown, value) of one series over the whole range: the number a pie, table or big-number display shows. */
export function aggregatedSeriesQuery(context: InsightContext, spec: SeriesSpec, range: ResolvedRange): { text: string; values: unknown[] } {
  const counted = countedTotalQuery(context, spec, range);
  if (counted) return counted;
  const params = new SqlParams();
  const breakdown = spec.breakdown ? breakdownSql(context.dialect, spec.breakdown, params) : 'NULL::text';
  const math = activeDays[spec.math] ? 'dau' : spec.math;
  const reads = readsOf(math, true);
  const text = `SELECT ${breakdown} AS breakdown, ${aggregate(context.dialect, { ...spec, math }, params, reads === 'counts')} AS value
    FROM ${source(context, spec, params, range.from, range.to, reads)}
    GROUP BY 1`;
  return { text, values: params.values };
}

/** The breakdown values of a series by event count, most first: one more than `limit`, to tell whether an "other" bucket is needed. */
export function breakdownValuesQuery(context: InsightContext, spec: SeriesSpec, range: ResolvedRange, limit: number): { text: string; values: unknown[] } {
  const counted = countedBreakdownValuesQuery(context, spec, range, limit);
  if (counted) return counted;
  const params = new SqlParams();
  const breakdown = breakdownSql(context.dialect, { ...spec.breakdown!, top: undefined }, params);
  const text = `SELECT ${breakdown} AS value, sum(e.events) AS events
    FROM ${source(context, spec, params, range.from, range.to, 'counts')}
    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${params.add(limit + 1)}`;
  return { text, values: params.values };
}
