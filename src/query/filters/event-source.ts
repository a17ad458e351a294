import type { ActionScope } from './action-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import type { SqlParams } from '../sql-params.ts';
import { groupCondition, usesPersonProperties, type PropertyGroup } from './filter-condition.ts';
import type { EntityMatcher } from './entity-condition.ts';

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
}

/**
 * `FROM events e ... WHERE ...` for an insight: one project, a time range and event names
 * written as plain comparisons on the partition keys (so a partitioned table is pruned), the
 * entities' conditions, and the insight's property filters.
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
  return `events e LEFT JOIN person_overrides o ON o.project_id = e.project_id AND o.old_person_uuid = e.person_id${persons}
    WHERE ${where.join('\n      AND ')}`;
}
