import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { InsightContext } from '../insight-context.ts';
import type { RetentionInput } from '../retention/get-retention.ts';
import { clickHouseEntityCondition, clickHouseEventSource } from './clickhouse-event-source.ts';
import { onQuarterHour } from '../filters/person-presence.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import { clickHouseBucketStart, clickHouseBucketText, type ClickHouseQuery } from './clickhouse-series-query.ts';

/**
 * Per person, in one scan: the cohort periods (each period with a start event, or only the
 * period of the first one ever) and the periods with a returning event. Grouping by person
 * runs on the shards and merges on the initiator, which then unrolls the table's cells.
 */
async function perPerson(context: InsightContext, store: ClickHouseStore, input: RetentionInput, params: ClickHouseParams): Promise<string> {
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params,
    from: input.firstTime ? undefined : input.range.from, to: input.range.to, entities: [input.target, input.returning], properties: input.properties,
    // Returns are counted from the range's start, which bounds the activity read too.
    presence: onQuarterHour(input.range.from),
  });
  // Periods as their start (a Date or DateTime), printed as keys only once per person or cell.
  const key = clickHouseBucketStart(input.interval, params.add(context.project.timezone), context.project.weekStartDay, source.time);
  const isTarget = clickHouseEntityCondition(input.target, source.scope, params);
  const isReturn = `${clickHouseEntityCondition(input.returning, source.scope, params)} AND ${source.time} >= ${params.add(input.range.from)}`;
  const targets = input.firstTime
    ? `arrayFilter(b -> ${clickHouseBucketText(input.interval, 'b')} >= ${params.add(input.buckets[0]!)}, [minIf(${key}, ${isTarget})])`
    : `groupUniqArrayIf(${key}, ${isTarget})`;
  return `SELECT ${source.person} AS person, ${targets} AS targets, groupUniqArrayIf(${key}, ${isReturn}) AS returns
    ${source.from}
    GROUP BY person`;
}

/** Rows (cohort, returned, persons) of the retention table: the cohort's size where returned = cohort. */
export async function clickHouseRetentionQuery(context: InsightContext, store: ClickHouseStore, input: RetentionInput): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const text = `SELECT ${clickHouseBucketText(input.interval, 'cohort_start')} AS cohort, ${clickHouseBucketText(input.interval, 'returned_start')} AS returned, persons FROM (
      SELECT cohort_start, returned_start, count() AS persons FROM (
        SELECT cohort_start, arrayJoin(arrayConcat([cohort_start], arrayFilter(r -> r > cohort_start, returns))) AS returned_start FROM (
          SELECT arrayJoin(targets) AS cohort_start, returns FROM (${await perPerson(context, store, input, params)})))
      GROUP BY cohort_start, returned_start)`;
  return { text, values: [] };
}

/** The persons of one cell: in the cohort of `cohort`, and (unless undefined) back in `returned`. */
export async function clickHouseRetentionPersonsQuery(context: InsightContext, store: ClickHouseStore, input: RetentionInput, cohort: string, returned: string | undefined): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const keys = (periods: string) => `arrayMap(b -> ${clickHouseBucketText(input.interval, 'b')}, ${periods})`;
  const back = returned === undefined ? '' : ` AND has(${keys('returns')}, ${params.add(returned)})`;
  const text = `SELECT toString(person) AS person_id FROM (${await perPerson(context, store, input, params)})
    WHERE has(${keys('targets')}, ${params.add(cohort)})${back}`;
  return { text, values: [] };
}
