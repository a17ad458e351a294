import { clickHouseRetentionPersonsQuery, clickHouseRetentionQuery } from '../clickhouse/clickhouse-retention.ts';
import { runEventsQuery } from '../events-query.ts';
import { resolveRange, type ResolvedRange } from '../filters/date-range.ts';
import { matchEntity, type EntityMatcher } from '../filters/entity-condition.ts';
import type { PropertyGroup } from '../filters/filter-condition.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter, Interval } from '../insight-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { SqlParams } from '../sql-params.ts';
import { bucketLabels } from '../trends/bucket-labels.ts';
import { periodMask, type PeriodMask } from './period-mask.ts';
import { periodPosition } from '../filters/period-position.ts';

export interface RetentionCohort { label: string; date: string; values: Array<{ count: number }> }

const periods: Record<InsightFilter['period'], { interval: Interval; label: string }> = {
  Hour: { interval: 'hour', label: 'Hour' },
  Day: { interval: 'day', label: 'Day' },
  Week: { interval: 'week', label: 'Week' },
  Month: { interval: 'month', label: 'Month' },
};

interface RetentionQuery { text: string; values: unknown[] }

/** What both stores' retention SQL is built from. */
export interface RetentionInput {
  interval: Interval;
  range: ResolvedRange;
  /** The cohort periods, as wall-clock keys. */
  buckets: string[];
  target: EntityMatcher;
  returning: EntityMatcher;
  firstTime: boolean;
  properties: PropertyGroup;
}

async function retentionInput(context: InsightContext, filter: InsightFilter): Promise<RetentionInput> {
  const period = periods[filter.period];
  const count = filter.total_intervals;
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: period.interval, lastIntervals: count });
  const buckets = range.buckets.slice(-count);
  if (buckets.length === 0) throw new InvalidQueryError('the retention range is empty', 'date_to');
  const targetEntity = filter.target_entity ?? filter.events[0] ?? { id: '$pageview', type: 'events' as const };
  const returningEntity = filter.returning_entity ?? targetEntity;
  const target = await matchEntity(context, targetEntity);
  // One matcher when both are the same entity: retentionMasks then reads its rows once.
  const returning = JSON.stringify(returningEntity) === JSON.stringify(targetEntity) ? target : await matchEntity(context, returningEntity);
  return { interval: period.interval, range, buckets, target, returning, firstTime: filter.retention_type === 'retention_first_time', properties: filter.properties };
}

/**
 * Each person's periods as two masks from one pass over the rows (bit k - 1: the k-th period):
 * `targets`, the periods they are in a cohort of (each one they did the start event in, or
 * only that of their first time ever), and `returns`, those they did the returning event in.
 * The cohort table counts persons per pair of masks; a cell's persons are read off them too.
 */
function retentionMasks(context: InsightContext, input: RetentionInput, params: SqlParams): { masks: string; mask: PeriodMask } {
  const { range, buckets } = input;
  const mask = periodMask(buckets.length, params);
  const positionOf = periodPosition(params, buckets, input.interval, params.add(context.project.timezone));
  const bitOf = (timestamp: string) => mask.of(positionOf(timestamp));
  const source = (entity: EntityMatcher, from: Date | undefined) => eventSource({ context, params, from, to: range.to, entities: [entity], properties: input.properties, presence: true });
  // The period of a person's first event is their first period: periods follow time.
  const targetRows = input.firstTime
    ? `SELECT person_id, ${bitOf('first_at')} AS period FROM (
         SELECT ${eventPersonId} AS person_id, min(e.timestamp) AS first_at FROM ${source(input.target, undefined)} GROUP BY 1) firsts`
    : `SELECT ${eventPersonId} AS person_id, ${bitOf('e.timestamp')} AS period FROM ${source(input.target, range.from)}`;
  // A first period outside the table sets no bit (NULL), so that person has no targets.
  const masks = !input.firstTime && input.returning === input.target
    ? `SELECT person_id, bit_or(period) AS targets, bit_or(period) AS returns FROM (${targetRows}) rows GROUP BY person_id`
    : `SELECT person_id, bit_or(target) AS targets, coalesce(bit_or(returned), ${mask.none}) AS returns FROM (
         SELECT person_id, period AS target, NULL AS returned FROM (${targetRows}) targets
         UNION ALL
         SELECT ${eventPersonId}, NULL, ${bitOf('e.timestamp')} FROM ${source(input.returning, range.from)}) rows
       GROUP BY person_id`;
  return { masks, mask };
}

/** The cohort table's cells (cohort, returned, persons): persons per pair of masks, of which there are few, unrolled into the cells. */
function retentionCellsQuery(context: InsightContext, input: RetentionInput): RetentionQuery {
  const params = new SqlParams();
  const { masks, mask } = retentionMasks(context, input, params);
  const periods = params.add(input.buckets);
  const count = params.add(input.buckets.length);
  const text = `WITH patterns AS (
      SELECT targets, returns, count(*) AS persons FROM (${masks}) masks WHERE targets IS NOT NULL GROUP BY 1, 2)
    SELECT (${periods}::text[])[cohort] AS cohort, (${periods}::text[])[cohort + later] AS returned, sum(persons) AS persons
    FROM patterns, generate_series(1, ${count}::int) cohort, generate_series(0, ${count}::int - cohort) later
    WHERE ${mask.has('targets', 'cohort')} AND (later = 0 OR ${mask.has('returns', 'cohort + later')})
    GROUP BY cohort, later`;
  return { text, values: params.values };
}

/** PostHog's retention table: one row per cohort (period), each with the persons still active k periods later. */
export async function getRetention(context: InsightContext, filter: InsightFilter): Promise<RetentionCohort[]> {
  const input = await retentionInput(context, filter);
  const rows = await runEventsQuery<{ cohort: string; returned: string; persons: number | string }>(context, 'insights.retention',
    () => retentionCellsQuery(context, input), (store) => clickHouseRetentionQuery(context, store, input));
  const index = new Map(input.buckets.map((bucket, position) => [bucket, position]));
  const label = periods[filter.period].label;
  const { days } = bucketLabels(input.buckets, periods[filter.period].interval);
  const table = input.buckets.map((_, cohort) => Array.from({ length: input.buckets.length - cohort }, () => 0));
  for (const row of rows) {
    const cohort = index.get(row.cohort);
    const returned = index.get(row.returned);
    if (cohort === undefined || returned === undefined) continue;
    table[cohort]![returned - cohort] = Number(row.persons);
  }
  return table.map((values, cohort) => ({ label: `${label} ${cohort}`, date: days[cohort]!, values: values.map((count) => ({ count })) }));
}

/** The persons of one cell: in cohort `cohort` (0 = the first period) and active `period` periods later (0: the whole cohort). */
export async function getRetentionPersonIds(context: InsightContext, filter: InsightFilter, cohort: number, period: number): Promise<string[]> {
  const input = await retentionInput(context, filter);
  const { buckets } = input;
  if (cohort < 0 || period < 0 || cohort + period >= buckets.length) {
    throw new InvalidQueryError(`no cell (${cohort}, ${period}) in a table of ${buckets.length} periods`, 'selected_interval');
  }
  const rows = await runEventsQuery<{ person_id: string }>(context, 'insights.retention_persons', () => {
    const params = new SqlParams();
    const { masks, mask } = retentionMasks(context, input, params);
    const inCohort = mask.has('targets', `${params.add(cohort + 1)}::int`);
    const returned = period === 0 ? '' : ` AND ${mask.has('returns', `${params.add(cohort + period + 1)}::int`)}`;
    return { text: `SELECT person_id::text FROM (${masks}) masks WHERE targets IS NOT NULL AND ${inCohort}${returned}`, values: params.values };
  }, (store) => clickHouseRetentionPersonsQuery(context, store, input, buckets[cohort]!, period === 0 ? undefined : buckets[cohort + period]));
  return rows.map((row) => row.person_id);
}
