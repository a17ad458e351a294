import type { EntityMatcher } from '../filters/entity-condition.ts';
import { eventScope } from '../filters/event-source.ts';
import type { SqlParams } from '../sql-params.ts';

/** The bit mask of the funnel steps an event (`e`) matches, bit k for step k, as match-funnel.ts reads it. */
export function stepMaskSql(steps: EntityMatcher[], params: SqlParams): string {
  return steps.map((step, index) => `(CASE WHEN ${step.condition(eventScope, params)} THEN ${1 << index} ELSE 0 END)`).join(' | ');
}
