import type { ActionScope } from './action-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import type { SqlParams } from '../sql-params.ts';
import { groupCondition, usesPersonProperties, type PropertyGroup } from './filter-condition.ts';
import type { EntityMatcher } from './entity-condition.ts';
import { activityCanSelect, onQuarterHour } from './person-presence.ts';
import { countBucketMs, countBucketOf } from '../../rollups/count-bucket.ts';

/**
 * The person behind an event: the id it was written with, or the survivor of a merge. Events
 * sent without a person profile count as a person per distinct id.
 */
export const eventPersonId = 'coalesce(o.override_person_uuid, e.person_id, md5(e.distinct_id)::uuid)';

export const eventScope: ActionScope = {
  projectId: 'e.project_id',
  properties: 'e.properties',
  personProperties: 'p.properties',
  elementsChain: 'e.elements_chain',
  personId: eventPersonId,
  event: 'e.event',
};

export interface EventSourceInput {
  context: InsightContext;
  params: SqlParams;
  from?: Date;
  to?: Date;
  /** An event matches when it matches any of these (none: every event). */
  entities: EntityMatcher[];
  properties: PropertyGroup;
  /** Join persons even when no filter needs them (breakdown or output by person property). */
  joinPersons?: boolean;
  extraConditions?: string[];
  /**
   * True when the caller reads only each row's person and e.timestamp, and asks only whether a
   * person was active in periods of a quarter hour or longer: then, when the entities are plain
   * event names and every filter is about the person, the rows inside the range's whole
   * quarter hours may be person activity (timestamp: the quarter's start) instead of every event.
   */
  presence?: boolean;
  /**
   * The caller also reads e.events, how many events a row stands for (1 for an event, a
   * person's events in the quarter hour for activity), to count events by person.
   */
  weighted?: boolean;
}

/**
 * The rows standing for the events over [from, to) when only presence is asked: person
 * activity for the whole quarter hours, the events themselves for the minutes before the first
 * and after the last. The caller's conditions on e.* still apply to every branch (Postgres
 * pushes them into each), which keeps the project, names and time bounds and so the pruning.
 */
function presenceRows(params: SqlParams, from: Date | undefined, to: Date | undefined, weighted: boolean): string | undefined {
  const first = from && (onQuarterHour(from) ? from : new Date(countBucketOf(from).getTime() + countBucketMs));
  const last = to && countBucketOf(to);
  if (first && last && first.getTime() >= last.getTime()) return undefined;
  const bounds: string[] = [];
  if (first) bounds.push(`bucket >= ${params.add(first)}::timestamptz`);
  if (last) bounds.push(`bucket < ${params.add(last)}::timestamptz`);
  const activityWeight = weighted ? ', events' : '';
  const eventWeight = weighted ? ', 1 AS events' : '';
  const branches = [`SELECT project_id, event, bucket AS timestamp, person_id, NULL::text AS distinct_id${activityWeight} FROM person_activity${bounds.length > 0 ? ` WHERE ${bounds.join(' AND ')}` : ''}`];
  const events = (condition: string) => `SELECT project_id, event, timestamp, person_id, distinct_id${eventWeight} FROM events WHERE ${condition}`;
  if (first && first.getTime() !== from!.getTime()) branches.push(events(`timestamp < ${params.add(first)}::timestamptz`));
  if (last && last.getTime() !== to!.getTime()) branches.push(events(`timestamp >= ${params.add(last)}::timestamptz`));
  return `(${branches.join('\n      UNION ALL ')})`;
}

/**
 * `FROM events e ... WHERE ...` for an insight: one project, a time range and event names
 * written as plain comparisons on the partition keys (so a partitioned table is pruned), the
 * entities' conditions, and the insight's property filters (or, for `presence`, see presenceRows;
 * `weighted` adds e.events).
 */
export function eventSource(input: EventSourceInput): string {
  const { params, context } = input;
  const where = [`e.project_id = ${params.add(context.project.id)}`];
  if (input.from) where.push(`e.timestamp >= ${params.add(input.from)}::timestamptz`);
  if (input.to) where.push(`e.timestamp < ${params.add(input.to)}::timestamptz`);
  if (input.entities.length > 0) {
    const names = input.entities.every((entity) => entity.eventNames) ? [...new Set(input.entities.flatMap((entity) => entity.eventNames!))] : undefined;
    if (names) where.push(names.length === 1 ? `e.event = ${params.add(names[0])}` : `e.event = ANY(${params.add(names)}::text[])`);
    if (!input.entities.every((entity) => entity.namesOnly)) {
      where.push(`(${input.entities.map((entity) => entity.condition(eventScope, params)).join(' OR ')})`);
    }
  }
  if (input.properties.values.length > 0) where.push(groupCondition(input.properties, eventScope, params));
  where.push(...input.extraConditions ?? []);
  const persons = input.joinPersons || usesPersonProperties(input.properties) || input.entities.some((entity) => entity.usesPersons)
    ? ` LEFT JOIN persons p ON p.project_id = e.project_id AND p.uuid = ${eventPersonId}` : '';
  const rows = input.presence && context.personActivity && activityCanSelect(input.entities, input.properties)
    ? presenceRows(params, input.from, input.to, input.weighted === true) : undefined;
  // A subquery Postgres pulls up into the query: the events are scanned (and pruned) as without it.
  return `${rows ?? (input.weighted ? '(SELECT *, 1 AS events FROM events)' : 'events')} e LEFT JOIN person_overrides o ON o.project_id = e.project_id AND o.old_person_uuid = e.person_id${persons}
    WHERE ${where.join('\n      AND ')}`;
}
