import { countBucketMs } from '../../rollups/count-bucket.ts';
import { flattenFilters } from '../filters/filter-condition.ts';
import type { ResolvedRange } from '../filters/date-range.ts';
import type { InsightContext } from '../insight-context.ts';
import { SqlParams } from '../sql-params.ts';
import { isCountedProperty } from '../../rollups/property-counts.ts';
import { breakdownOf, breakdownSql } from './breakdown-value.ts';
import type { SeriesSpec } from './series-query.ts';
import { inQuarterHours } from '../filters/person-presence.ts';

/** The UTC offset of `timeZone` at `instant`, in minutes; undefined for a zone PostgreSQL knows and ICU does not. */
function offsetMinutes(timeZone: string, instant: Date): number | undefined {
  let name: string;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value ?? '';
  } catch {
    return undefined;
  }
  if (name === 'GMT') return 0;
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : undefined;
}

/**
 * Whether a series is a plain count that event_counts (or, broken down by a counted property,
 * property_counts) answers: every event or events named without further conditions, no
 * property filter, buckets of an hour or more, and a time zone whose offset keeps each
 * 15-minute bucket inside one local hour.
 */
function countsAnswer(context: InsightContext, spec: SeriesSpec, range: ResolvedRange): boolean {
  if (!context.eventCounts || spec.math !== 'total' || spec.extraConditions) return false;
  if (spec.breakdown && (spec.breakdown.type !== 'event' || !isCountedProperty(spec.breakdown.key))) return false;
  if (flattenFilters(spec.properties).length > 0 || !spec.entity.namesOnly || !inQuarterHours(range.interval)) return false;
  return [range.from, range.to].every((instant) => (offsetMinutes(context.project.timezone, instant) ?? 1) % 15 === 0);
}

interface CountedParts { parts: string; params: SqlParams }

/**
 * The rows (bucket, breakdown, value) of a counted series, as a UNION ALL: the whole 15-minute
 * buckets inside the range come from the rollup, the minutes before the first and after the
 * last (a range given as date-times) from the events themselves. Undefined when the series
 * must be read from the events.
 */
function countedParts(context: InsightContext, spec: SeriesSpec, range: ResolvedRange): CountedParts | undefined {
  if (!countsAnswer(context, spec, range)) return undefined;
  const wholeFrom = new Date(Math.ceil(range.from.getTime() / countBucketMs) * countBucketMs);
  const wholeTo = new Date(Math.floor(range.to.getTime() / countBucketMs) * countBucketMs);
  if (wholeFrom.getTime() >= wholeTo.getTime()) return undefined;
  const d = context.dialect;
  const params = new SqlParams();
  const tz = params.add(context.project.timezone);
  const project = params.add(context.project.id);
  const names = spec.entity.eventNames;
  const named = (column: string) => (names ? ` AND ${column} = ANY(${params.add(names)}::text[])` : '');
  const bucket = (time: string) => d.bucketStart(range.interval, d.localTime(time, tz), context.project.weekStartDay);
  const breakdown = spec.breakdown;
  const rollup = breakdown
    ? { table: 'property_counts', breakdown: breakdownOf('c.value', breakdown.top, params), key: ` AND c.key = ${params.add(breakdown.key)}` }
    : { table: 'event_counts', breakdown: 'NULL::text', key: '' };
  const whole = `SELECT ${bucket('c.bucket')} AS bucket, ${rollup.breakdown} AS breakdown, sum(c.events) AS value FROM ${rollup.table} c
    WHERE c.project_id = ${project}${rollup.key} AND c.bucket >= ${params.add(wholeFrom)}::timestamptz AND c.bucket < ${params.add(wholeTo)}::timestamptz${named('c.event')}
    GROUP BY 1, 2`;
  const edges = [[range.from, wholeFrom], [wholeTo, range.to]]
    .filter(([from, to]) => from!.getTime() < to!.getTime())
    .map(([from, to]) => `SELECT ${bucket('e.timestamp')} AS bucket, ${breakdown ? breakdownSql(d, breakdown, params) : 'NULL::text'} AS breakdown, count(*) AS value FROM events e
      WHERE e.project_id = ${project} AND e.timestamp >= ${params.add(from)}::timestamptz AND e.timestamp < ${params.add(to)}::timestamptz${named('e.event')}
      GROUP BY 1, 2`);
  return { parts: `(${[whole, ...edges].join('\n    UNION ALL\n    ')}) parts`, params };
}

/** seriesQuery's rows (bucket, breakdown, value) for a plain count, from the rollups; undefined when they cannot answer. */
export function countedSeriesQuery(context: InsightContext, spec: SeriesSpec, range: ResolvedRange): { text: string; values: unknown[] } | undefined {
  const counted = countedParts(context, spec, range);
  if (!counted) return undefined;
  const text = `SELECT ${context.dialect.bucketKey('bucket')} AS bucket, breakdown, sum(value) AS value FROM ${counted.parts} GROUP BY bucket, breakdown`;
  return { text, values: counted.params.values };
}

/** aggregatedSeriesQuery's rows (breakdown, value) for a plain count, from the rollups; undefined when they cannot answer. */
export function countedTotalQuery(context: InsightContext, spec: SeriesSpec, range: ResolvedRange): { text: string; values: unknown[] } | undefined {
  const counted = countedParts(context, spec, range);
  if (!counted) return undefined;
  // Without a breakdown, one row even when nothing happened (a big number shows 0).
  const text = spec.breakdown
    ? `SELECT breakdown, sum(value) AS value FROM ${counted.parts} GROUP BY breakdown`
    : `SELECT NULL::text AS breakdown, coalesce(sum(value), 0) AS value FROM ${counted.parts}`;
  return { text, values: counted.params.values };
}

/** breakdownValuesQuery's rows (value, events) for a plain count broken down by a counted property, from property_counts; undefined when it cannot answer. */
export function countedBreakdownValuesQuery(context: InsightContext, spec: SeriesSpec, range: ResolvedRange, limit: number): { text: string; values: unknown[] } | undefined {
  const counted = countedParts(context, { ...spec, breakdown: { ...spec.breakdown!, top: undefined } }, range);
  if (!counted) return undefined;
  const text = `SELECT breakdown AS value, sum(value) AS events FROM ${counted.parts}
    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${counted.params.add(limit + 1)}`;
  return { text, values: counted.params.values };
}
