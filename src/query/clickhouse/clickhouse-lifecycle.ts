import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { InsightContext } from '../insight-context.ts';
import type { LifecycleInput, LifecycleStatus } from '../lifecycle/get-lifecycle.ts';
import { clickHouseEventSource, clickHouseLatestPersons } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import { clickHouseBucketStart, clickHouseBucketText, type ClickHouseQuery } from './clickhouse-series-query.ts';
import { stepWallClock, wallClockKey } from '../filters/wall-clock.ts';
import { inQuarterHours } from '../filters/person-presence.ts';

/**
 * (bucket, status, person) rows, as lifecycle-rows in Postgres: each person's active periods
 * are gathered once (grouped by person on the shards) as positions in the list of the range's
 * periods with the one before it first, then each is labelled from the positions of the
 * period before and after it (naive wall-clock steps, as Postgres' timestamp arithmetic).
 */
async function lifecycleRows(context: InsightContext, store: ClickHouseStore, input: LifecycleInput, params: ClickHouseParams): Promise<string> {
  const { range } = input;
  const interval = range.interval;
  const periods = [wallClockKey(stepWallClock(range.buckets[0]!, interval, -1)), ...range.buckets];
  const position = new Map(periods.map((key, index) => [key, index + 1]));
  const previous = periods.map((key) => position.get(wallClockKey(stepWallClock(key, interval, -1))) ?? 0);
  const next = periods.map((key) => position.get(wallClockKey(stepWallClock(key, interval, 1))) ?? 0);
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params, from: input.lookbackFrom, to: range.to,
    entities: [input.entity], properties: input.properties, readsPerson: true, presence: inQuarterHours(interval),
  });
  const tz = params.add(context.project.timezone);
  const start = (column: string) => clickHouseBucketStart(interval, tz, context.project.weekStartDay, column);
  const list = params.add(periods);
  // Periods are gathered per person as their starts and looked up in the list once per person;
  // creation times are joined to the grouped persons, not to every event.
  const perPerson = `SELECT person, active, earlier,
      indexOf(${list}, if(isNull(person_created_at), '', ${clickHouseBucketText(interval, start('ifNull(person_created_at, toDateTime(0))'))})) AS created_i,
      isNotNull(person_created_at) AS created_known
    FROM (
      SELECT person, arrayMap(b -> indexOf(${list}, ${clickHouseBucketText(interval, 'b')}), starts) AS positions,
        arrayFilter(i -> i > 0, positions) AS active, has(positions, 0) AS earlier
      FROM (SELECT ${source.person} AS person, groupUniqArray(${start(source.time)}) AS starts ${source.from} GROUP BY person)) AS periods
    ANY LEFT JOIN ${clickHouseLatestPersons(store, params.add(context.project.id))} AS persons USING (person)`;
  const before = (i: string) => `${params.add(previous)}[${i}]`;
  const after = (i: string) => `${params.add(next)}[${i}]`;
  // Each active period once as itself (kind 0) and once as the period after it (kind 1, dormant
  // when the person is not active then). The lambdas take nothing from the row: ClickHouse 18.16
  // drops a subquery's column that only a lambda reads.
  return `SELECT if(kind = 1, ${after('i')}, i) AS position,
      multiIf(kind = 1, 'dormant', created_i = i, 'new', has(active, ${before('i')}), 'returning',
        NOT created_known AND NOT earlier AND arrayReduce('min', active) = i, 'new', 'resurrecting') AS status, person
    FROM (
      SELECT person, active, earlier, created_i, created_known, tupleElement(cell, 1) AS i, tupleElement(cell, 2) AS kind FROM (
        SELECT person, active, earlier, created_i, created_known,
          arrayJoin(arrayConcat(arrayMap(i -> (i, 0), arrayFilter(i -> i >= 2, active)), arrayMap(i -> (i, 1), active))) AS cell
        FROM (${perPerson})))
    WHERE kind = 0 OR (${after('i')} >= 2 AND NOT has(active, ${after('i')}))`;
}

/** Rows (bucket, status, persons). */
export async function clickHouseLifecycleQuery(context: InsightContext, store: ClickHouseStore, input: LifecycleInput): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const rows = await lifecycleRows(context, store, input, params);
  const periods = params.add([wallClockKey(stepWallClock(input.range.buckets[0]!, input.range.interval, -1)), ...input.range.buckets]);
  return { text: `SELECT ${periods}[position] AS bucket, status, count() AS persons FROM (${rows}) GROUP BY position, status`, values: [] };
}

/** The persons with `status` in the period starting at `bucket`. */
export async function clickHouseLifecyclePersonsQuery(context: InsightContext, store: ClickHouseStore, input: LifecycleInput, status: LifecycleStatus, bucket: string): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const rows = await lifecycleRows(context, store, input, params);
  const position = input.range.buckets.indexOf(bucket) + 2;
  return { text: `SELECT toString(person) AS person_id FROM (${rows}) WHERE status = ${params.add(status)} AND position = ${params.add(position)}`, values: [] };
}
