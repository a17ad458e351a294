import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter } from '../insight-filter.ts';
import { clickHouseEventSource } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import { clickHouseBucketKey, type ClickHouseQuery } from './clickhouse-series-query.ts';
import { inQuarterHours } from '../filters/person-presence.ts';

/** Persons with the number of distinct intervals of the range they did the entity in. */
async function activeIntervals(context: InsightContext, store: ClickHouseStore, filter: InsightFilter, entity: EntityMatcher, range: { from: Date; to: Date }, params: ClickHouseParams): Promise<string> {
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params, from: range.from, to: range.to,
    entities: [entity], properties: filter.properties, presence: inQuarterHours(filter.interval),
  });
  const key = clickHouseBucketKey(filter.interval, params.add(context.project.timezone), context.project.weekStartDay, source.time);
  return `SELECT ${source.person} AS person, uniqExact(${key}) AS intervals ${source.from} GROUP BY person`;
}

/** Rows (intervals, persons): the ClickHouse form of the stickiness query. */
export async function clickHouseStickinessQuery(context: InsightContext, store: ClickHouseStore, filter: InsightFilter, entity: EntityMatcher, range: { from: Date; to: Date }): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  return { text: `SELECT intervals, count() AS persons FROM (${await activeIntervals(context, store, filter, entity, range, params)}) GROUP BY intervals`, values: [] };
}

/** The persons active in exactly `intervals` intervals. */
export async function clickHouseStickinessPersonsQuery(context: InsightContext, store: ClickHouseStore, filter: InsightFilter, entity: EntityMatcher, range: { from: Date; to: Date }, intervals: number): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  return { text: `SELECT toString(person) AS person_id FROM (${await activeIntervals(context, store, filter, entity, range, params)}) WHERE intervals = ${params.add(intervals)}`, values: [] };
}
