import { runQuery } from '../../db/pool.ts';
import type { InsightContext } from '../insight-context.ts';
import type { Interval } from '../insight-filter.ts';
import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { clickHouseFirstEventTime } from '../clickhouse/clickhouse-list-events.ts';
import { InvalidQueryError } from '../query-error.ts';
import { SqlParams } from '../sql-params.ts';

/** A date range resolved in the project's time zone: instants for WHERE, wall-clock buckets for results. */
export interface ResolvedRange {
  from: Date;
  to: Date;
  /** Wall-clock start of every interval in the range, as 'YYYY-MM-DD HH:MM:SS'. */
  buckets: string[];
  interval: Interval;
}

export interface RangeInput {
  dateFrom?: string | null;
  dateTo?: string | null;
  interval: Interval;
  /** Without `dateFrom`: start this many intervals before the end (the interval holding it counts as one), instead of 7 days before now. */
  lastIntervals?: number;
}

const relative = /^-(\d{1,5})([hdwmqy])$/;
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const withOffset = /(Z|[+-]\d{2}:?\d{2})$/i;
const relativeUnits: Record<string, string> = { h: 'hours', d: 'days', w: 'weeks', m: 'months', q: 'months', y: 'years' };

/** Wall-clock SQL for a PostHog date bound: relative (-7d, -24h, -2w, -1m, -1q, -1y), dStart / mStart / yStart, a date, or a date-time. */
function boundSql(value: string, end: boolean, localNow: () => string, tz: string, context: InsightContext, params: SqlParams, name: string): string {
  const { dialect } = context;
  const match = relative.exec(value);
  if (match) {
    const count = Number(match[1]) * (match[2] === 'q' ? 3 : 1);
    const unit = match[2] === 'h' ? 'hour' : 'day';
    const start = `date_trunc('${unit}', ${localNow()} - make_interval(${relativeUnits[match[2]!]} => ${params.add(count)}::int))`;
    return end ? `(${start} + interval '1 ${unit}')` : start;
  }
  const starts: Record<string, string> = { dStart: 'day', wStart: 'week', mStart: 'month', yStart: 'year' };
  if (starts[value]) return `date_trunc('${starts[value]}', ${localNow()})`;
  if (dateOnly.test(value)) {
    const date = `${params.add(value)}::date::timestamp`;
    return end ? `(${date} + interval '1 day')` : date;
  }
  if (Number.isNaN(Date.parse(value.replace(' ', 'T')))) {
    throw new InvalidQueryError(`${name} ${JSON.stringify(value)} is not a date: use an ISO date, -7d, -24h, -2w, -1m, -1y, dStart, mStart or all`, name);
  }
  if (withOffset.test(value)) return dialect.localTime(`${params.add(value)}::timestamptz`, tz);
  return `${params.add(value)}::timestamp`;
}

/**
 * Resolves `date_from` / `date_to` (default: the last 7 days through the current interval) and
 * lists the interval buckets, in one round trip. `all` starts at the project's first event.
 */
export async function resolveRange(context: InsightContext, input: RangeInput): Promise<ResolvedRange> {
  const { dialect, project } = context;
  const params = new SqlParams();
  const tz = params.add(project.timezone);
  // Added only when used: an unused parameter has no type Postgres could infer.
  let now: string | undefined;
  const localNow = () => (now ??= dialect.localTime(`${params.add(context.now)}::timestamptz`, tz));
  const to = input.dateTo
    ? boundSql(input.dateTo, true, localNow, tz, context, params, 'date_to')
    : `(${dialect.bucketStart(input.interval, localNow(), project.weekStartDay)} + ${dialect.step(input.interval)})`;
  const fromValue = input.dateFrom ?? '-7d';
  const firstEvent = fromValue === 'all' && !(!input.dateFrom && input.lastIntervals)
    ? (context.clickhouse ? await clickHouseFirstEvent(context.clickhouse, project.id, params) : `(SELECT min(timestamp) FROM events WHERE project_id = ${params.add(project.id)})`)
    : undefined;
  const from = !input.dateFrom && input.lastIntervals
    ? `(${dialect.bucketStart(input.interval, `(${to}) - interval '1 microsecond'`, project.weekStartDay)} - ${dialect.step(input.interval, input.lastIntervals - 1)})`
    : fromValue === 'all'
      ? `coalesce(${firstEvent === null ? 'NULL' : dialect.localTime(firstEvent!, tz)}, date_trunc('day', ${localNow()}))`
      : boundSql(fromValue, false, localNow, tz, context, params, 'date_from');
  const firstBucket = dialect.bucketStart(input.interval, 'r.local_from', project.weekStartDay);
  // Days and longer step in wall-clock time (a DST day is one bucket of 23 or 25 hours); minutes
  // and hours step in real time, so a skipped hour has no bucket and a repeated one shares its key.
  const series = input.interval === 'minute' || input.interval === 'hour'
    ? `SELECT DISTINCT ${dialect.bucketStart(input.interval, dialect.localTime('i', tz), project.weekStartDay)} AS b
       FROM generate_series(${dialect.instant(firstBucket, tz)}, ${dialect.instant('r.local_to', tz)} - interval '1 microsecond', ${dialect.step(input.interval)}) AS i`
    : `SELECT generate_series(${firstBucket}, r.local_to - interval '1 microsecond', ${dialect.step(input.interval)}) AS b`;
  const { rows } = await runQuery<{ from: Date; to: Date; buckets: string[] | null; valid: boolean }>(context.db, 'insights.date_range',
    `SELECT ${dialect.instant('r.local_from', tz)} AS "from", ${dialect.instant('r.local_to', tz)} AS "to", r.local_from < r.local_to AS valid,
       CASE WHEN r.local_from < r.local_to THEN
         (SELECT array_agg(${dialect.bucketKey('s.b')} ORDER BY s.b) FROM (${series}) AS s)
       END AS buckets
     FROM (SELECT ${from} AS local_from, ${to} AS local_to) r`, params.values);
  const row = rows[0]!;
  if (!row.valid) throw new InvalidQueryError('date_from must be before date_to', 'date_from');
  if ((row.buckets?.length ?? 0) > 20_000) {
    throw new InvalidQueryError(`the range holds ${row.buckets!.length} ${input.interval}s; use a longer interval or a shorter range`, 'interval');
  }
  return { from: row.from, to: row.to, buckets: row.buckets ?? [], interval: input.interval };
}

/** The time of the project's first event on ClickHouse, as a parameter of the Postgres query; null when it has none. */
async function clickHouseFirstEvent(store: ClickHouseStore, projectId: number, params: SqlParams): Promise<string | null> {
  const first = await clickHouseFirstEventTime(store, projectId);
  return first ? `${params.add(first)}::timestamptz` : null;
}

/** The range of equal wall-clock length just before `range`, for `compare`. */
export async function previousRange(context: InsightContext, range: ResolvedRange): Promise<ResolvedRange> {
  const { dialect, project } = context;
  const params = new SqlParams();
  const tz = params.add(project.timezone);
  const localFrom = dialect.localTime(`${params.add(range.from)}::timestamptz`, tz);
  const localTo = dialect.localTime(`${params.add(range.to)}::timestamptz`, tz);
  const { rows } = await runQuery<{ from: string; to: string }>(context.db, 'insights.previous_range',
    `SELECT ${dialect.bucketKey(`(${localFrom} - (${localTo} - ${localFrom}))`)} AS "from", ${dialect.bucketKey(localFrom)} AS "to"`, params.values);
  return resolveRange(context, { dateFrom: rows[0]!.from, dateTo: rows[0]!.to.replace(' ', 'T'), interval: range.interval });
}
