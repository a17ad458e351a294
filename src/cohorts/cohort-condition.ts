import { propertyCondition } from '../query/filters/property-filter.ts';
import type { SqlParams } from '../query/sql-params.ts';
import { isCohortGroup, type BehavioralFilter, type CohortGroup, type CohortLeaf } from './cohort-definition.ts';

/** The columns a cohort condition reads: persons `p` of project `projectId` (a placeholder), and where behaviour is counted. */
interface PersonScope { projectId: string; behaviour: BehaviourSource }

const intervalUnits: Record<BehavioralFilter['time_interval'], string> = { hour: 'hours', day: 'days', week: 'weeks', month: 'months', year: 'years' };

/**
 * Where a behavioural filter's events are counted: SQL rows (person_uuid, n) of the persons
 * who did the event in the filter's window, and how many times. `now` hands out the
 * placeholder of the current time.
 */
export type BehaviourSource = (filter: BehavioralFilter, params: SqlParams, now: () => string) => string;

/** Behaviour counted from Postgres' events, attributed through the distinct ids as they map now, so merged persons count as one. */
export function postgresBehaviour(projectId: string): BehaviourSource {
  return (filter, params, nowParam) => {
    const now = nowParam();
    const since = `${now} - make_interval(${intervalUnits[filter.time_interval]} => ${params.add(filter.time_value)}::int)`;
    return `SELECT pdi.person_uuid, count(*) AS n FROM events e JOIN person_distinct_ids pdi ON pdi.project_id = e.project_id AND pdi.distinct_id = e.distinct_id
      WHERE e.project_id = ${projectId} AND e.event = ${params.add(filter.key)} AND e.timestamp >= ${since} AND e.timestamp <= ${now}
      GROUP BY 1`;
  };
}

function behavioralCondition(filter: BehavioralFilter, params: SqlParams, now: () => string, behaviour: BehaviourSource): string {
  const counted = behaviour(filter, params, now);
  if (filter.value === 'performed_event') return `p.uuid IN (SELECT person_uuid FROM (${counted}) matched)`;
  const comparison = { gte: '>=', lte: '<=', exact: '=' }[filter.operator];
  if (filter.operator !== 'gte' || filter.operator_value === 0) {
    // "at most N times" holds for persons who never did it at all, too.
    return `coalesce((SELECT n FROM (${counted}) matched WHERE matched.person_uuid = p.uuid), 0) ${comparison} ${params.add(filter.operator_value)}`;
  }
  return `p.uuid IN (SELECT person_uuid FROM (${counted}) matched WHERE n >= ${params.add(filter.operator_value)})`;
}

function leafCondition(leaf: CohortLeaf, scope: PersonScope, params: SqlParams, now: () => string): string {
  let condition: string;
  if (leaf.type === 'behavioral') condition = behavioralCondition(leaf, params, now, scope.behaviour);
  else if (leaf.type === 'cohort') {
    condition = `p.uuid IN (SELECT cp.person_uuid FROM cohort_people cp JOIN cohorts c ON c.id = cp.cohort_id
      WHERE c.project_id = ${scope.projectId} AND c.id = ${params.add(leaf.value)}::int)`;
  } else condition = propertyCondition('p.properties', leaf, params);
  return leaf.negation ? `NOT (${condition})` : condition;
}

/**
 * SQL condition on persons `p` for a cohort definition; an empty group matches nobody. `now`
 * hands out the placeholder of the current time, bound only when a behavioural filter needs it.
 */
export function cohortCondition(group: CohortGroup, scope: PersonScope, params: SqlParams, now: () => string): string {
  const parts = group.values.map((item) => (isCohortGroup(item) ? cohortCondition(item, scope, params, now) : leafCondition(item, scope, params, now)));
  if (parts.length === 0) return 'FALSE';
  return `(${parts.join(group.type === 'AND' ? ' AND ' : ' OR ')})`;
}
