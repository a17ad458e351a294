import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { FunnelSequenceInput } from '../funnels/funnel-sequences.ts';
import type { InsightContext } from '../insight-context.ts';
import { clickHouseEntityCondition, clickHouseEventSource } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import type { ClickHouseQuery } from './clickhouse-series-query.ts';

/**
 * Each person's step events in time order (then uuid order, as Postgres sorts them) with the
 * bit mask of the steps each matches: the ClickHouse form of funnelSequencesQuery. Grouping by
 * person runs on every shard and merges on the initiator; the sort happens once per person.
 */
export async function clickHouseFunnelSequencesQuery(context: InsightContext, store: ClickHouseStore, input: FunnelSequenceInput): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params, from: input.from, to: input.to,
    entities: input.allEvents ? [] : input.steps, properties: input.properties,
    joinPersons: input.breakdown?.type === 'person' || input.steps.some((step) => step.usesPersons),
  });
  const mask = input.steps.map((step, index) => `if(${clickHouseEntityCondition(step, source.scope, params)}, ${1 << index}, 0)`).join(' + ');
  // The breakdown is gathered only when asked for, and the tie-break is the uuid's 16 bytes (the
  // order Postgres compares uuids in): strings in the per-person arrays cost most of the query.
  const breakdown = input.breakdown
    ? (input.breakdown.type === 'person' ? source.scope.personProperty(input.breakdown.key) : source.scope.eventProperty(input.breakdown.key))
    : undefined;
  const text = `SELECT toString(person) AS person_id, arrayMap(x -> tupleElement(x, 1), steps) AS times, arrayMap(x -> tupleElement(x, 2), steps) AS masks,
      ${breakdown ? 'arrayMap(x -> tupleElement(x, 4), steps)' : 'emptyArrayString()'} AS breakdowns
    FROM (
      SELECT person, arraySort(x -> (tupleElement(x, 1), tupleElement(x, 3)), groupArray((ms, mask, seq${breakdown ? ', breakdown' : ''}))) AS steps
      FROM (
        SELECT ${source.person} AS person, toUInt64(timestamp) * 1000 + timestamp_ms AS ms, toUInt32(${mask}) AS mask, UUIDStringToNum(toString(uuid)) AS seq${breakdown ? `, ${breakdown} AS breakdown` : ''}
        ${source.from})
      GROUP BY person)`;
  return { text, values: [] };
}
