import { clickHouseFunnelEntrantsQuery, clickHouseFunnelSequencesQuery } from '../clickhouse/clickhouse-funnel-sequences.ts';
import { runEventsQuery } from '../events-query.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { PropertyGroup } from '../filters/filter-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import { SqlParams } from '../sql-params.ts';
import { stepMaskSql } from './step-mask.ts';
import type { FunnelOrder, PersonSequence } from './match-funnel.ts';
import { orderedFunnelEventsQuery } from './ordered-funnel-events.ts';

export interface FunnelSequenceInput {
  steps: EntityMatcher[];
  properties: PropertyGroup;
  from: Date;
  to: Date;
  /** Strict funnels see every event of the person (any other event between two steps breaks the chain); ordered ones send fewer. */
  order: FunnelOrder;
  breakdown?: { type: 'event' | 'person'; key: string };
  /**
   * The caller lists only the persons past the first step and counts the others
   * (countFunnelEntrants), so only their events are sent: an ordered funnel's later steps and
   * probed starts (ordered-funnel-events.ts), a strict funnel's every event of the persons who
   * did the second step.
   */
  pastFirstStep?: boolean;
  /** The conversion window: a first step further than this before a second step cannot start a chain with it. */
  windowMs: number;
  /** Only the persons whose id hashes to `index` of `count` shares (an ordered funnel's probes, split over connections). */
  personShare?: { index: number; count: number };
}

/**
 * Postgres runs no correlated subquery in a parallel worker, and probing each second-step
 * event's first step is most of an ordered funnel's time (10M events: 66k probes, about 0.5 s
 * of 1 s), so those funnels are read as two queries over two halves of the persons, on two
 * connections: what a parallel plan with one worker would do.
 */
const orderedProbeShares = 2;

/** `breakdowns` is empty when the funnel has no breakdown. */
export interface PersonFunnelRow extends PersonSequence { personId: string; breakdowns: Array<string | null> }

/**
 * Each person's step events in time order with a bit mask of the steps each matches, in one
 * query; matching the sequence against the funnel happens in match-funnel.ts, the same for every store.
 */
export function funnelSequencesQuery(context: InsightContext, input: FunnelSequenceInput): { text: string; values: unknown[] } {
  if (input.pastFirstStep && input.order === 'ordered') return orderedFunnelEventsQuery(context, input);
  const params = new SqlParams();
  const d = context.dialect;
  const mask = stepMaskSql(input.steps, params);
  const breakdown = input.breakdown
    ? d.jsonText(input.breakdown.type === 'person' ? 'p.properties' : 'e.properties', params.add(input.breakdown.key))
    : 'NULL::text';
  const source = eventSource({
    context, params, from: input.from, to: input.to, entities: input.order === 'strict' ? [] : input.steps, properties: input.properties,
    joinPersons: input.breakdown?.type === 'person' || input.steps.some((step) => step.usesPersons),
    extraConditions: input.pastFirstStep ? [`${eventPersonId} IN (SELECT ${eventPersonId} FROM ${stepSource(context, params, input, 1)})`] : [],
  });
  // Each ordered aggregate sorts every person's events again, so the breakdowns are gathered only when asked for.
  const breakdowns = input.breakdown ? 'array_agg(breakdown ORDER BY ms, seq)' : "'{}'::text[]";
  const text = `SELECT person_id, array_agg(ms ORDER BY ms, seq) AS times, array_agg(mask ORDER BY ms, seq) AS masks, ${breakdowns} AS breakdowns
     FROM (SELECT ${eventPersonId} AS person_id, (extract(epoch FROM e.timestamp) * 1000)::float8 AS ms, ${mask} AS mask, ${breakdown} AS breakdown, e.uuid AS seq
           FROM ${source}) steps
     GROUP BY person_id`;
  return { text, values: params.values };
}

/** The events of one step in the range, read as presence (person activity can answer). */
function stepSource(context: InsightContext, params: SqlParams, input: FunnelSequenceInput, step: number): string {
  const entity = input.steps[step]!;
  return eventSource({ context, params, from: input.from, to: input.to, entities: [entity], properties: input.properties, joinPersons: entity.usesPersons, presence: true });
}

/**
 * How many persons did the funnel's first step in the range. count(DISTINCT) sorts, so it has
 * no hash table to spill when `options` lowers Sounder's work_mem to a server's 4MB (10M events,
 * 228k persons: 250 against 285 to 403 ms for a DISTINCT subquery); at 64MB both take the same.
 */
export function funnelEntrantsQuery(context: InsightContext, input: FunnelSequenceInput): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const text = `SELECT count(DISTINCT ${eventPersonId}) AS entrants FROM ${stepSource(context, params, input, 0)}`;
  return { text, values: params.values };
}

export async function countFunnelEntrants(context: InsightContext, input: FunnelSequenceInput): Promise<number> {
  const [row] = await runEventsQuery<{ entrants: number | string }>(context, 'insights.funnel_entrants',
    () => funnelEntrantsQuery(context, input), (store) => clickHouseFunnelEntrantsQuery(context, store, input));
  return Number(row?.entrants ?? 0);
}

export async function loadFunnelSequences(context: InsightContext, input: FunnelSequenceInput): Promise<PersonFunnelRow[]> {
  const shares = !context.clickhouse && input.pastFirstStep && input.order === 'ordered' ? orderedProbeShares : 1;
  const parts = await Promise.all(Array.from({ length: shares }, (_, index) => runEventsQuery<{ person_id: string; times: Array<number | string>; masks: number[]; breakdowns: Array<string | null> }>(context, 'insights.funnel_sequences',
    () => funnelSequencesQuery(context, shares > 1 ? { ...input, personShare: { index, count: shares } } : input), (store) => clickHouseFunnelSequencesQuery(context, store, input))));
  const rows = parts.flat();
  // ClickHouse's JSON quotes 64-bit numbers; an empty breakdown list means no breakdown.
  return rows.map((row) => ({ personId: row.person_id, times: row.times.map(Number), masks: row.masks.map(Number), breakdowns: input.breakdown ? row.breakdowns : [] }));
}
