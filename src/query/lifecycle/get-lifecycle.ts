import { clickHouseLifecyclePersonsQuery, clickHouseLifecycleQuery } from '../clickhouse/clickhouse-lifecycle.ts';
import { queryClickHouseEvents } from '../events-query.ts';
import { runQuery } from '../../db/pool.ts';
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
import { stepWallClock, wallClockKey } from '../filters/wall-clock.ts';
import { periodMask, readPeriodMask, type PeriodMask } from '../retention/period-mask.ts';
import { periodPosition } from '../filters/period-position.ts';

export const lifecycleStatuses = ['new', 'returning', 'resurrecting', 'dormant'] as const;
export type LifecycleStatus = typeof lifecycleStatuses[number];

/** What both stores' lifecycle SQL is built from. */
export interface LifecycleInput { entity: EntityMatcher; properties: PropertyGroup; range: ResolvedRange; lookbackFrom: Date }

export interface LifecycleResult { status: LifecycleStatus; label: string; data: number[]; count: number; labels: string[]; days: string[] }

// Activity one interval before the range tells returning from resurrecting on its first interval
// (a day is 25 hours at most, a month 31 days).
const lookbackMs = { minute: 60_000, hour: 3_600_000, day: 90_000_000, week: 608_400_000, month: 2_682_000_000 } as const;

/**
 * The periods a person's activity is placed in, oldest first: the range's, after the two
 * before it (the lookback reaches into the second at most; activity there tells a person
 * without a creation time, first active in the range, from a new one).
 */
function lifecyclePeriods(range: ResolvedRange): string[] {
  const before = [-2, -1].map((steps) => wallClockKey(stepWallClock(range.buckets[0]!, range.interval, steps)));
  return [...before, ...range.buckets];
}

/**
 * One row per person: `mask`, the periods they were active in (see lifecyclePeriods and
 * periodMask), and `created`, the 1-based period their person was created in (0: another
 * one; NULL: no creation time). Grouping the events by person once replaces a sort of every
 * (person, period) pair; what the statuses are is read off the masks by statusesAt.
 */
function lifecycleMasks(context: InsightContext, input: LifecycleInput, params: SqlParams): { text: string; mask: PeriodMask; periods: number } {
  const { range } = input;
  const periods = lifecyclePeriods(range);
  const mask = periodMask(periods.length, params);
  const positionOf = periodPosition(params, periods, range.interval, params.add(context.project.timezone));
  const source = eventSource({ context, params, from: input.lookbackFrom, to: range.to, entities: [input.entity], properties: input.properties, presence: inQuarterHours(range.interval) });
  const text = `SELECT m.person_id, m.mask, CASE WHEN p.created_at IS NULL THEN NULL ELSE coalesce(${positionOf('p.created_at')}, 0) END AS created
    FROM (SELECT ${eventPersonId} AS person_id, bit_or(${mask.of(positionOf('e.timestamp'))}) AS mask FROM ${source} GROUP BY 1) m
    LEFT JOIN persons p ON p.project_id = ${params.add(context.project.id)} AND p.uuid = m.person_id`;
  return { text, mask, periods: periods.length };
}

/**
 * The status of a person in each of the range's periods (undefined: none), from their active
 * periods and the period they were created in: active persons are new (created in this
 * period, or with no creation time and never active before), returning (active in the previous
 * period too) or resurrecting (active before, not in the previous one); dormant persons were
 * active in the previous period and not in this one.
 */
function statusesAt(active: (position: number) => boolean, created: number | null, periods: number): Array<LifecycleStatus | undefined> {
  const statuses: Array<LifecycleStatus | undefined> = [];
  let firstActive: number | undefined;
  for (let position = 1; position <= periods; position++) {
    const now = active(position);
    if (now && firstActive === undefined) firstActive = position;
    if (position <= 2) continue;
    const before = active(position - 1);
    if (!now) statuses.push(before ? 'dormant' : undefined);
    else if (created === position) statuses.push('new');
    else if (before) statuses.push('returning');
    else statuses.push(created === null && firstActive === position ? 'new' : 'resurrecting');
  }
  return statuses;
}

async function lifecycleInput(context: InsightContext, filter: InsightFilter): Promise<LifecycleInput> {
  const series = seriesOf(filter);
  if (series.length !== 1) throw new InvalidQueryError('lifecycle takes exactly one series', 'events');
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  const entity = await matchEntity(context, series[0]!);
  return { entity, properties: filter.properties, range, lookbackFrom: new Date(range.from.getTime() - lookbackMs[range.interval]) };
}

/** Persons per (mask, created) pair, of which there are few: each pair's statuses are read once. */
async function lifecyclePatterns(context: InsightContext, input: LifecycleInput): Promise<Array<{ statuses: Array<LifecycleStatus | undefined>; persons: number }>> {
  const params = new SqlParams();
  const { text, periods } = lifecycleMasks(context, input, params);
  const { rows } = await runQuery<{ mask: string; created: number | null; persons: string }>(context.db, 'insights.lifecycle',
    `SELECT mask::text, created, count(*) AS persons FROM (${text}) m WHERE mask IS NOT NULL GROUP BY m.mask, created`, params.values);
  return rows.map((row) => ({ statuses: statusesAt(readPeriodMask(row.mask, periods), row.created, periods), persons: Number(row.persons) }));
}

/** PostHog's lifecycle: four series, dormant counted negative. */
export async function getLifecycle(context: InsightContext, filter: InsightFilter): Promise<LifecycleResult[]> {
  const input = await lifecycleInput(context, filter);
  const { range } = input;
  const series = new Map(lifecycleStatuses.map((status) => [status, range.buckets.map(() => 0)]));
  if (context.clickhouse) {
    const position = new Map(range.buckets.map((bucket, index) => [bucket, index]));
    const query = await clickHouseLifecycleQuery(context, context.clickhouse, input);
    for (const row of await queryClickHouseEvents<{ bucket: string; status: LifecycleStatus; persons: number | string }>(context.clickhouse, 'insights.lifecycle', query.text)) {
      const index = position.get(row.bucket);
      if (index !== undefined) series.get(row.status)![index] = Number(row.persons);
    }
  } else if (range.buckets.length > 0) {
    for (const pattern of await lifecyclePatterns(context, input)) {
      pattern.statuses.forEach((status, index) => {
        const data = status && series.get(status)!;
        if (data) data[index] = data[index]! + pattern.persons;
      });
    }
  }
  const { labels, days } = bucketLabels(range.buckets, range.interval);
  return lifecycleStatuses.map((status) => {
    const data = series.get(status)!.map((persons) => (status === 'dormant' && persons > 0 ? -persons : persons));
    return { status, label: status, data, count: data.reduce((sum, value) => sum + value, 0), labels, days };
  });
}

export async function getLifecyclePersonIds(context: InsightContext, filter: InsightFilter, status: LifecycleStatus, bucket: string): Promise<string[]> {
  const input = await lifecycleInput(context, filter);
  if (context.clickhouse) {
    const query = await clickHouseLifecyclePersonsQuery(context, context.clickhouse, input, status, bucket);
    return (await queryClickHouseEvents<{ person_id: string }>(context.clickhouse, 'insights.lifecycle_persons', query.text)).map((row) => row.person_id);
  }
  const index = input.range.buckets.indexOf(bucket);
  if (index < 0) return [];
  const params = new SqlParams();
  const { text, mask, periods } = lifecycleMasks(context, input, params);
  // Only persons active in the period or the one before it have a status in it.
  const position = index + 3;
  const { rows } = await runQuery<{ person_id: string; mask: string; created: number | null }>(context.db, 'insights.lifecycle_persons',
    `SELECT person_id::text, mask::text, created FROM (${text}) m
     WHERE ${mask.has('mask', `${params.add(position)}::int`)} OR ${mask.has('mask', `${params.add(position - 1)}::int`)}`, params.values);
  return rows.filter((row) => statusesAt(readPeriodMask(row.mask, periods), row.created, periods)[index] === status).map((row) => row.person_id);
}
