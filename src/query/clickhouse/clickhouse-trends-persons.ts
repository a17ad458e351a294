import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { ResolvedRange } from '../filters/date-range.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import type { PropertyGroup } from '../filters/filter-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import type { BreakdownSpec } from '../trends/breakdown-value.ts';
import { clickHouseEventSource } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import { clickHouseBreakdown, clickHouseBucketKey, type ClickHouseQuery } from './clickhouse-series-query.ts';
import { stepWallClock, wallClockKey } from '../filters/wall-clock.ts';

export interface TrendsPersonsInput {
  entity: EntityMatcher;
  properties: PropertyGroup;
  range: ResolvedRange;
  bucket: string;
  /** Weekly and monthly actives: the persons of the days ending with the bucket. */
  activeDays?: number;
  breakdown?: BreakdownSpec & { value: string };
}

/** The persons behind one point of a trend: the ClickHouse form of getTrendsPersonIds' query. */
export async function clickHouseTrendsPersonsQuery(context: InsightContext, store: ClickHouseStore, input: TrendsPersonsInput): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const from = input.activeDays ? new Date(input.range.from.getTime() - input.activeDays * 86_400_000) : input.range.from;
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params, from, to: input.range.to,
    entities: [input.entity], properties: input.properties, joinPersons: input.breakdown?.type === 'person',
  });
  const tz = params.add(context.project.timezone);
  const end = wallClockKey(stepWallClock(input.bucket, input.range.interval, 1));
  const inPoint = input.activeDays
    ? `wall >= ${params.add(wallClockKey(stepWallClock(end, 'day', -input.activeDays)))} AND wall < ${params.add(end)}`
    : `bucket = ${params.add(input.bucket)}`;
  const breakdown = input.breakdown ? ` AND breakdown = ${params.add(input.breakdown.value)}` : '';
  const text = `SELECT DISTINCT toString(person) AS person_id FROM (
      SELECT ${source.person} AS person, ${clickHouseBucketKey(input.range.interval, tz, context.project.weekStartDay)} AS bucket,
        toString(toTimeZone(timestamp, ${tz})) AS wall, ${clickHouseBreakdown(input.breakdown, source, params)} AS breakdown
      ${source.from})
    WHERE ${inPoint}${breakdown}`;
  return { text, values: [] };
}
