import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { ResolvedRange } from '../filters/date-range.ts';
import type { InsightContext } from '../insight-context.ts';
import type { Interval } from '../insight-filter.ts';
import { breakdownNull, breakdownOther, type BreakdownSpec } from '../trends/breakdown-value.ts';
import { activeDays, type SeriesSpec } from '../trends/series-query.ts';
import { clickHouseEventSource, type ClickHouseSource } from './clickhouse-event-source.ts';
import { clickHouseNumeric } from './clickhouse-filters.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import { inQuarterHours } from '../filters/person-presence.ts';
import { stepWallClock } from '../filters/wall-clock.ts';

export interface ClickHouseQuery { text: string; values: unknown[] }

const fractions: Record<string, number> = { median: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** The wall-clock start of an event's interval in `tz`, as the 'YYYY-MM-DD HH:MM:SS' key results are aligned on. */
export function clickHouseBucketKey(interval: Interval, tz: string, weekStartDay: 0 | 1, column = 'timestamp'): string {
  return clickHouseBucketText(interval, clickHouseBucketStart(interval, tz, weekStartDay, column));
}

/** The local start of the bucket holding `column`: a DateTime for minutes and hours, else a Date. */
export function clickHouseBucketStart(interval: Interval, tz: string, weekStartDay: 0 | 1, column = 'timestamp'): string {
  const local = `toTimeZone(${column}, ${tz})`;
  switch (interval) {
    case 'minute': return `toStartOfMinute(${local})`;
    case 'hour': return `toStartOfHour(${local})`;
    case 'day': return `toDate(${local})`;
    // toMonday starts weeks on Monday; a Sunday week is the Monday week of the next day, a day earlier.
    case 'week': return weekStartDay === 1 ? `toMonday(${local})` : `(toMonday(toDate(${local}) + 1) - 1)`;
    case 'month': return `toStartOfMonth(${local})`;
  }
}

/** A bucket start as its key, 'YYYY-MM-DD HH:MM:SS'. */
export function clickHouseBucketText(interval: Interval, start: string): string {
  return interval === 'minute' || interval === 'hour' ? `toString(${start})` : `concat(toString(${start}), ' 00:00:00')`;
}

function aggregate(spec: SeriesSpec, source: ClickHouseSource, params: ClickHouseParams): string {
  const value = () => clickHouseNumeric(source.scope.eventProperty(String(spec.mathProperty ?? '')), params);
  switch (spec.math) {
    case 'total': return 'count()';
    case 'dau': case 'weekly_active': case 'monthly_active': return `uniqExact(${source.person})`;
    case 'unique_session': return `uniqExact(nullIf(${source.scope.eventProperty('$session_id')}, ''))`;
    case 'sum': return `ifNull(sum(${value()}), 0)`;
    case 'avg': return `avg(${value()})`;
    case 'min': return `min(${value()})`;
    case 'max': return `max(${value()})`;
    // ClickHouse's quantile interpolates like percentile_cont; it is exact up to 8,192 values and sampled beyond.
    default: return `quantile(${fractions[spec.math]})(${value()})`;
  }
}

export function clickHouseBreakdown(breakdown: BreakdownSpec | undefined, source: ClickHouseSource, params: ClickHouseParams): string {
  if (!breakdown) return 'CAST(NULL AS Nullable(String))';
  const property = breakdown.type === 'person' ? source.scope.personProperty(breakdown.key) : source.scope.eventProperty(breakdown.key);
  const value = `ifNull(${property}, ${params.add(breakdownNull)})`;
  if (!breakdown.top) return value;
  if (breakdown.top.length === 0) return params.add(breakdownOther);
  return `if(${value} IN (${breakdown.top.map((top) => params.add(top)).join(', ')}), ${value}, ${params.add(breakdownOther)})`;
}

// Maths that count persons: their series read each event's person (through the overrides).
const readsPerson = (spec: SeriesSpec) => ['dau', 'weekly_active', 'monthly_active'].includes(spec.math);

/**
 * The events of a series. `persons`: whether the caller reads each event's person. `countsPersons`:
 * whether it only counts persons, in buckets of a quarter hour or longer (or over the whole
 * range): then person activity may answer for the events.
 */
async function source(context: InsightContext, store: ClickHouseStore, spec: SeriesSpec, params: ClickHouseParams, from: Date, to: Date,
  options: { persons?: boolean; countsPersons: boolean }): Promise<ClickHouseSource> {
  if (spec.extraConditions && spec.cohort === undefined) throw new Error('a series with extra conditions other than a cohort has no ClickHouse form');
  // A cohort breakdown's series is the series filtered by membership of that cohort.
  const properties = spec.cohort === undefined ? spec.properties
    : { type: 'AND' as const, values: [spec.properties, { key: 'id', value: spec.cohort, operator: 'exact' as const, type: 'cohort' as const }] };
  return clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params, from, to,
    entities: [spec.entity], properties, joinPersons: spec.breakdown?.type === 'person', readsPerson: options.persons ?? readsPerson(spec),
    presence: options.countsPersons && spec.breakdown?.type !== 'event',
  });
}

/** Rows (bucket, breakdown, value) of one series: the ClickHouse form of series-query.ts's seriesQuery. */
export async function clickHouseSeriesQuery(context: InsightContext, store: ClickHouseStore, spec: SeriesSpec, range: ResolvedRange, cumulativePersons = false): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const tz = params.add(context.project.timezone);
  const days = activeDays[spec.math];
  if (days) {
    // Each event counts in every bucket whose last `days` days (ending where the bucket ends, or at the range's end) hold it; times are wall-clock seconds.
    const from = new Date(range.from.getTime() - days * 86_400_000);
    const src = await source(context, store, spec, params, from, range.to, { countsPersons: inQuarterHours(range.interval) });
    const wall = (instant: string) => `toUInt32(toDateTime(toString(toTimeZone(${instant}, ${tz})), 'UTC'))`;
    const ends = range.buckets.map((bucket) => [bucket, stepWallClock(bucket, range.interval, 1)] as const);
    const buckets = `[${ends.map(([bucket, end]) => `(${params.add(bucket)}, toUInt32(${end}))`).join(', ')}]`;
    const end = `least(tupleElement(b, 2), ${wall(params.add(range.to))})`;
    // The event's time reaches the lambda as a second array, not from the row: ClickHouse 18.16
    // drops a subquery's column that only a lambda reads.
    const times = `arrayResize([${wall(src.time)}], ${ends.length}, ${wall(src.time)})`;
    const text = `SELECT bucket, breakdown, uniqExact(person) AS value FROM (
        SELECT tupleElement(arrayJoin(arrayFilter((b, t) -> t >= ${end} - ${days * 86_400} AND t < ${end}, ${buckets}, ${times})), 1) AS bucket,
          ${clickHouseBreakdown(spec.breakdown, src, params)} AS breakdown, ${src.person} AS person
        ${src.from})
      GROUP BY bucket, breakdown`;
    return { text, values: [] };
  }
  const src = await source(context, store, spec, params, range.from, range.to, {
    persons: cumulativePersons || readsPerson(spec), countsPersons: (cumulativePersons || readsPerson(spec)) && inQuarterHours(range.interval),
  });
  const breakdown = clickHouseBreakdown(spec.breakdown, src, params);
  if (cumulativePersons) {
    const text = `SELECT first_bucket AS bucket, breakdown, count() AS value FROM (
        SELECT min(${clickHouseBucketKey(range.interval, tz, context.project.weekStartDay, src.time)}) AS first_bucket, ${breakdown} AS breakdown, ${src.person} AS person ${src.from} GROUP BY breakdown, person)
      GROUP BY bucket, breakdown`;
    return { text, values: [] };
  }
  // Grouped by the bucket's start and printed once per bucket, not once per event.
  const text = `SELECT ${clickHouseBucketText(range.interval, 'bucket_start')} AS bucket, breakdown, value FROM (
      SELECT ${clickHouseBucketStart(range.interval, tz, context.project.weekStartDay, src.time)} AS bucket_start, ${breakdown} AS breakdown, ${aggregate(spec, src, params)} AS value
      ${src.from}
      GROUP BY bucket_start, breakdown)`;
  return { text, values: [] };
}

/** Rows (breakdown, value) over the whole range. */
export async function clickHouseAggregatedSeriesQuery(context: InsightContext, store: ClickHouseStore, spec: SeriesSpec, range: ResolvedRange): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const src = await source(context, store, spec, params, range.from, range.to, { countsPersons: readsPerson(spec) });
  const math = activeDays[spec.math] ? 'dau' : spec.math;
  const text = `SELECT ${clickHouseBreakdown(spec.breakdown, src, params)} AS breakdown, ${aggregate({ ...spec, math }, src, params)} AS value
    ${src.from}
    GROUP BY breakdown`;
  return { text, values: [] };
}

/** Breakdown values by event count, most first, one more than `limit`. */
export async function clickHouseBreakdownValuesQuery(context: InsightContext, store: ClickHouseStore, spec: SeriesSpec, range: ResolvedRange, limit: number): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const src = await source(context, store, spec, params, range.from, range.to, { countsPersons: false });
  const text = `SELECT ${clickHouseBreakdown({ ...spec.breakdown!, top: undefined }, src, params)} AS value, count() AS events
    ${src.from}
    GROUP BY value ORDER BY events DESC, value LIMIT ${Math.trunc(limit) + 1}`;
  return { text, values: [] };
}
