import { clickHouseTable, type ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedColumn, propertyFromArrays } from '../../clickhouse/hot-properties.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import type { PropertyGroup } from '../filters/filter-condition.ts';
import { isNegativeOperator } from '../filters/property-filter.ts';
import { clickHouseActionCondition } from './clickhouse-elements.ts';
import { cohortMembers } from '../../clickhouse/cohort-members.ts';
import { InvalidQueryError } from '../query-error.ts';
import { activityCanSelect, onQuarterHour } from '../filters/person-presence.ts';
import { clickHouseGroupCondition, clickHouseTextCondition, type ClickHouseScope } from './clickhouse-filters.ts';
import type { ClickHouseParams } from './clickhouse-params.ts';

/** The person behind an event: the survivor of a merge when there is an override, else the id it was written with. */
export const clickHousePersonId = "if(override_person_id = toUUID('00000000-0000-0000-0000-000000000000'), person_id, override_person_id)";

/** Each person of the project as last written: `person`, `person_keys`, `person_values`, `person_created_at`. */
export function clickHouseLatestPersons(store: ClickHouseStore, project: string): string {
  return `(SELECT id AS person, argMax(prop_keys, version) AS person_keys, argMax(prop_values, version) AS person_values,
        argMax(created_at, version) AS person_created_at
      FROM ${clickHouseTable(store, 'persons')} WHERE project_id = ${project} GROUP BY id)`;
}

/** The project's latest override of each merged-away person, to join to events USING (project_id, person_id). */
export function clickHouseOverrides(store: ClickHouseStore, project: string): string {
  return `(SELECT project_id, old_person_id AS person_id, argMax(override_person_id, version) AS override_person_id
      FROM ${clickHouseTable(store, 'person_overrides')} WHERE project_id = ${project} GROUP BY project_id, old_person_id) AS overrides`;
}

export interface ClickHouseSourceInput {
  store: ClickHouseStore;
  /** Property keys with a column of their own on this store. */
  materialized: Set<string>;
  projectId: number;
  params: ClickHouseParams;
  from?: Date;
  to?: Date;
  entities: EntityMatcher[];
  properties: PropertyGroup;
  joinPersons?: boolean;
  /** False when the caller never reads `person`: then, unless a filter reads it, the overrides are not joined. */
  readsPerson?: boolean;
  /**
   * True when the caller reads only each row's person and time, and asks only whether a person
   * was active in periods of a quarter hour or longer: then, when the entities are plain event
   * names and every filter is about the person, the rows may be person activity, one per
   * person, event and quarter hour, instead of every event.
   */
  presence?: boolean;
  /** A subquery of persons (over the cluster) the rows are limited to. */
  personsIn?: string;
}

/** `FROM ... WHERE ...` of the events, the expression of each event's person, and where properties are found. */
export interface ClickHouseSource {
  from: string;
  person: string;
  scope: ClickHouseScope;
  /** The column of each row's time: the event's, or the start of the activity's quarter hour. */
  time: string;
}

/** Whether person activity answers the source: see `presence`. */
function activityAnswers(input: ClickHouseSourceInput): boolean {
  const aligned = (date: Date | undefined) => date === undefined || onQuarterHour(date);
  return input.presence === true && aligned(input.from) && aligned(input.to) && activityCanSelect(input.entities, input.properties);
}

/** Whether an event is the entity: an action's steps or the event's name, and its own filters. */
export function clickHouseEntityCondition(entity: EntityMatcher, scope: ClickHouseScope, params: ClickHouseParams): string {
  const parts = [entity.actionSteps ? clickHouseActionCondition(entity.actionSteps, scope, params) : entity.eventNames ? `event = ${params.add(entity.eventNames[0])}` : '1'];
  if (entity.ownProperties.values.length > 0) parts.push(clickHouseGroupCondition(entity.ownProperties, scope, params));
  return `(${parts.join(' AND ')})`;
}

function eventProperty(materialized: Set<string>) {
  return (key: string) => (materialized.has(key) ? `\`${materializedColumn(key)}\`` : propertyFromArrays('prop_keys', 'prop_values', key));
}

/**
 * The events an insight reads, with the person each belongs to. Unless a person property's
 * value is needed (`joinPersons`: a breakdown, created_at) it is one level over the
 * Distributed table, so each shard filters and the caller's aggregation runs where the rows
 * are; the override join and person filters read each node's whole local copy of persons and
 * overrides. With `joinPersons` the persons join wraps it, on the initiator.
 */
export function clickHouseEventSource(input: ClickHouseSourceInput): ClickHouseSource {
  const { params, store } = input;
  const project = params.add(input.projectId);
  const activity = activityAnswers(input);
  const time = activity ? 'quarter' : 'timestamp';
  const where = [`project_id = ${project}`];
  if (input.from) where.push(`${time} >= ${params.add(input.from)}`);
  if (input.to) where.push(`${time} < ${params.add(input.to)}`);
  // Person property filters need no join (see personFilter); a person property's value (a breakdown, created_at) does.
  const persons = input.joinPersons === true;
  const latestPersons = clickHouseLatestPersons(store, project);
  const scope: ClickHouseScope = {
    eventProperty: eventProperty(input.materialized),
    personProperty: (key) => propertyFromArrays('person_keys', 'person_values', key),
    inCohort: (cohortId) => {
      if (!Number.isInteger(cohortId)) throw new InvalidQueryError(`cohort ${JSON.stringify(cohortId)} is not a cohort id`, 'properties');
      return `(${persons ? 'person' : clickHousePersonId} IN ${cohortMembers(store, project, params.add(cohortId))})`;
    },
    // The persons whose properties pass, as a subquery each shard answers from its own copy, so
    // the events are filtered where they are. A person with no row reads every property as
    // missing: operators that a missing value passes become "not among the persons who fail".
    personFilter: persons ? undefined : (filter, filterParams) => {
      const condition = clickHouseTextCondition(propertyFromArrays('person_keys', 'person_values', filter.key), filter.operator, filter.value, filterParams);
      const missingPasses = isNegativeOperator(filter.operator) || filter.operator === 'is_not_set';
      return missingPasses
        ? `(${clickHousePersonId} NOT IN (SELECT person FROM ${latestPersons} WHERE NOT ${condition}))`
        : `(${clickHousePersonId} IN (SELECT person FROM ${latestPersons} WHERE ${condition}))`;
    },
  };
  const conditions: string[] = [];
  if (input.entities.length > 0) {
    const names = input.entities.every((entity) => entity.eventNames) ? [...new Set(input.entities.flatMap((entity) => entity.eventNames!))] : undefined;
    if (names) where.push(`event IN (${names.map((name) => params.add(name)).join(', ')})`);
    if (!input.entities.every((entity) => entity.namesOnly)) {
      conditions.push(`(${input.entities.map((entity) => clickHouseEntityCondition(entity, scope, params)).join(' OR ')})`);
    }
  }
  if (input.properties.values.length > 0) conditions.push(clickHouseGroupCondition(input.properties, scope, params));
  // GLOBAL: the initiator answers the subquery over every shard once and sends each shard the persons.
  if (input.personsIn) conditions.push(`(${persons ? 'person' : clickHousePersonId} GLOBAL IN ${input.personsIn})`);
  const overrides = clickHouseOverrides(store, project);
  const events = clickHouseTable(store, activity ? 'person_activity' : 'events');
  if (!persons && input.readsPerson === false && !conditions.some((condition) => condition.includes(clickHousePersonId))) {
    return { scope, time, person: clickHousePersonId, from: `FROM ${events}\n    WHERE ${[...where, ...conditions].join('\n      AND ')}` };
  }
  if (!persons) {
    return {
      scope, time, person: clickHousePersonId,
      from: `FROM ${events} ANY LEFT JOIN ${overrides} USING (project_id, person_id)
    WHERE ${[...where, ...conditions].join('\n      AND ')}`,
    };
  }
  const personsTable = `${latestPersons} AS persons`;
  // The inner level passes on every column a filter or the caller may read: the events' own.
  return {
    scope, time, person: 'person',
    from: `FROM (
      SELECT ${clickHousePersonId} AS person, *
      FROM ${events} ANY LEFT JOIN ${overrides} USING (project_id, person_id)
      WHERE ${where.join(' AND ')}) AS events
    ANY LEFT JOIN ${personsTable} USING (person)
    WHERE ${conditions.length > 0 ? conditions.join('\n      AND ') : '1'}`,
  };
}
