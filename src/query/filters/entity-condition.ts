import { runQuery } from '../../db/pool.ts';
import type { InsightContext } from '../insight-context.ts';
import { InvalidQueryError } from '../query-error.ts';
import type { SqlParams } from '../sql-params.ts';
import { actionCondition, actionEventNames, actionStepsSchema, type ActionScope, type ActionStep } from './action-condition.ts';
import { groupCondition, usesPersonProperties, type PropertyGroup } from './filter-condition.ts';

/** What a series, a funnel step or a retention entity names: an event (null: any event) or an action, with its own filters. */
export interface Entity { id: string | number | null; type: 'events' | 'actions'; properties?: PropertyGroup }

/** An entity ready to print: its condition and, when known, the event names it can match (for partition pruning). */
export interface EntityMatcher {
  condition(scope: ActionScope, params: SqlParams): string;
  eventNames: string[] | undefined;
  /** True when the event names say it all (no steps or filters beyond them). */
  namesOnly: boolean;
  /** True when the condition reads person properties (`p.properties`). */
  usesPersons: boolean;
  label: string;
  /** The entity's own filters, and an action's steps: what a store without the Postgres printer builds its condition from. */
  ownProperties: PropertyGroup;
  actionSteps?: ActionStep[];
}

async function loadActionSteps(context: InsightContext, id: string | number | null): Promise<{ name: string; steps: ActionStep[] }> {
  const actionId = Number(id);
  if (!Number.isInteger(actionId)) throw new InvalidQueryError(`action id ${JSON.stringify(id)} is not a number`, 'actions');
  const { rows } = await runQuery<{ name: string; steps: unknown }>(context.db, 'insights.action',
    'SELECT name, steps FROM actions WHERE project_id = $1 AND id = $2 AND NOT deleted', [context.project.id, actionId]);
  if (!rows[0]) throw new InvalidQueryError(`action ${actionId} does not exist in this project`, 'actions');
  return { name: rows[0].name, steps: actionStepsSchema.parse(rows[0].steps) };
}

export async function matchEntity(context: InsightContext, entity: Entity): Promise<EntityMatcher> {
  const own = entity.properties ?? { type: 'AND' as const, values: [] };
  const withOwn = (base: (scope: ActionScope, params: SqlParams) => string) => (scope: ActionScope, params: SqlParams) => {
    const parts = [base(scope, params)];
    if (own.values.length > 0) parts.push(groupCondition(own, scope, params));
    return parts.join(' AND ');
  };
  const ownPersons = usesPersonProperties(own);
  if (entity.type === 'actions') {
    const action = await loadActionSteps(context, entity.id);
    const stepPersons = action.steps.some((step) => step.properties.some((filter) => filter.type === 'person'));
    return {
      condition: withOwn((scope, params) => actionCondition(action.steps, scope, params)),
      eventNames: actionEventNames(action.steps), namesOnly: false, usesPersons: ownPersons || stepPersons, label: action.name, ownProperties: own, actionSteps: action.steps,
    };
  }
  const plain = own.values.length === 0;
  if (entity.id === null || entity.id === '') {
    return { condition: withOwn(() => 'TRUE'), eventNames: undefined, namesOnly: plain, usesPersons: ownPersons, label: 'All events', ownProperties: own };
  }
  const name = String(entity.id);
  return { condition: withOwn((scope, params) => `${scope.event} = ${params.add(name)}`), eventNames: [name], namesOnly: plain, usesPersons: ownPersons, label: name, ownProperties: own };
}
