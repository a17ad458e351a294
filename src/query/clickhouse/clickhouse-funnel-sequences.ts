import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { FunnelSequenceInput } from '../funnels/funnel-sequences.ts';
import type { InsightContext } from '../insight-context.ts';
import { clickHouseEntityCondition, clickHouseEventSource } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import type { ClickHouseQuery } from './clickhouse-series-query.ts';

/** The persons who did one step in the range, as a subquery (person activity can answer). */
function stepPersons(context: InsightContext, store: ClickHouseStore, materialized: Set<string>, params: ClickHouseParams, input: FunnelSequenceInput, step: number): string {
  const entity = input.steps[step]!;
  const source = clickHouseEventSource({
    store, materialized, projectId: context.project.id, params, from: input.from, to: input.to, entities: [entity], properties: input.properties,
    joinPersons: entity.usesPersons, presence: true,
  });
  return `(SELECT ${source.person} AS person ${source.from})`;
}

/** How many persons did the funnel's first step in the range: the ClickHouse form of funnelEntrantsQuery. */
export async function clickHouseFunnelEntrantsQuery(context: InsightContext, store: ClickHouseStore, input: FunnelSequenceInput): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  return { text: `SELECT uniqExact(person) AS entrants FROM ${stepPersons(context, store, await materializedKeys(store), params, input, 0)}`, values: [] };
}

/**
 * Each person's step events in time order (then uuid order, as Postgres sorts them) with the
 * bit mask of the steps each matches: the ClickHouse form of funnelSequencesQuery. Grouping by
 * person runs on every shard and merges on the initiator; the sort happens once per person.
 */
export async function clickHouseFunnelSequencesQuery(context: InsightContext, store: ClickHouseStore, input: FunnelSequenceInput): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const materialized = await materializedKeys(store);
  const source = clickHouseEventSource({
    store, materialized, projectId: context.project.id, params, from: input.from, to: input.to,
    entities: input.order === 'strict' ? [] : input.steps, properties: input.properties,
    joinPersons: input.breakdown?.type === 'person' || input.steps.some((step) => step.usesPersons),
    personsIn: input.pastFirstStep ? stepPersons(context, store, materialized, params, input, 1) : undefined,
  });
  const mask = input.steps.map((step, index) => `if(${clickHouseEntityCondition(step, source.scope, params)}, ${1 << index}, 0)`).join(' + ');
  // The breakdown is gathered only when asked for, and the tie-break is the uuid's 16 bytes (the
  // order Postgres compares uuids in): strings in the per-person arrays cost most of the query.
  const breakdown = input.breakdown
    ? (input.breakdown.type === 'person' ? source.scope.personProperty(input.breakdown.key) : source.scope.eventProperty(input.breakdown.key))
    : undefined;
  const grouped = `SELECT person, arraySort(x -> (tupleElement(x, 1), tupleElement(x, 3)), groupArray((ms, mask, seq${breakdown ? ', breakdown' : ''}))) AS steps
      FROM (
        SELECT ${source.person} AS person, toUInt64(timestamp) * 1000 + timestamp_ms AS ms, toUInt32(${mask}) AS mask, UUIDStringToNum(toString(uuid)) AS seq${breakdown ? `, ${breakdown} AS breakdown` : ''}
        ${source.from})
      GROUP BY person`;
  const columns = `arrayMap(x -> tupleElement(x, 1), steps) AS all_times, arrayMap(x -> tupleElement(x, 2), steps) AS all_masks,
      ${breakdown ? 'arrayMap(x -> tupleElement(x, 4), steps)' : 'emptyArrayString()'} AS all_breakdowns`;
  // An ordered funnel never starts at a first-step-only event followed by another: the later
  // one reaches the same steps with more window left (see matchOrdered). Dropping those sends
  // each person's runs of first-step events as one.
  const kept = input.order === 'ordered'
    ? 'arrayMap((m, n) -> NOT (m = 1 AND n = 1), all_masks, arrayConcat(arrayPopFront(all_masks), [toUInt32(0)]))'
    : 'arrayMap(m -> 1, all_masks)';
  const text = `SELECT toString(person) AS person_id, arrayFilter((t, k) -> k, all_times, kept) AS times, arrayFilter((m, k) -> k, all_masks, kept) AS masks,
      ${breakdown ? 'arrayFilter((b, k) -> k, all_breakdowns, kept)' : 'all_breakdowns'} AS breakdowns
    FROM (SELECT person, ${columns}, ${kept} AS kept FROM (${grouped}))`;
  return { text, values: [] };
}
