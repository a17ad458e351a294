import { z } from 'zod';
import type { SqlParams } from '../sql-params.ts';
import { elementAttributeCondition, selectorRegex } from './element-condition.ts';
import { groupCondition, type FilterScope } from './filter-condition.ts';
import { propertyFilterSchema, textCondition, type PropertyOperator } from './property-filter.ts';

const matching = z.enum(['exact', 'contains', 'regex']).nullish().transform((value) => value ?? 'exact');
const optionalText = z.string().max(10_000).nullish().transform((value) => (value === '' || value === null ? undefined : value));

export const actionStepSchema = z.object({
  event: optionalText,
  url: optionalText,
  url_matching: matching.default('contains'),
  selector: optionalText,
  tag_name: optionalText,
  text: optionalText,
  text_matching: matching,
  href: optionalText,
  href_matching: matching,
  properties: z.array(propertyFilterSchema).max(50).nullish().transform((value) => value ?? []),
});

export type ActionStep = z.infer<typeof actionStepSchema>;
export const actionStepsSchema = z.array(actionStepSchema).min(1).max(50);

/** Where the action's events come from besides the filter scope: the event name column. */
export interface ActionScope extends FilterScope { event: string }

const operatorFor: Record<'exact' | 'contains' | 'regex', PropertyOperator> = { exact: 'exact', contains: 'icontains', regex: 'regex' };

function stepCondition(step: ActionStep, scope: ActionScope, params: SqlParams): string {
  const parts: string[] = [];
  if (step.event !== undefined) parts.push(`${scope.event} = ${params.add(step.event)}`);
  if (step.url !== undefined) {
    parts.push(textCondition(`(${scope.properties} ->> '$current_url')`, operatorFor[step.url_matching], step.url, params));
  }
  if (step.selector !== undefined) parts.push(`${scope.elementsChain} ~ ${params.add(selectorRegex(step.selector))}`);
  if (step.tag_name !== undefined) parts.push(elementAttributeCondition(scope.elementsChain, 'tag_name', 'exact', step.tag_name, params));
  if (step.text !== undefined) parts.push(elementAttributeCondition(scope.elementsChain, 'text', operatorFor[step.text_matching], step.text, params));
  if (step.href !== undefined) parts.push(elementAttributeCondition(scope.elementsChain, 'href', operatorFor[step.href_matching], step.href, params));
  if (step.properties.length > 0) parts.push(groupCondition({ type: 'AND', values: step.properties }, scope, params));
  return parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`;
}

/** An event matches an action when it matches any of its steps. */
export function actionCondition(steps: ActionStep[], scope: ActionScope, params: SqlParams): string {
  return `(${steps.map((step) => stepCondition(step, scope, params)).join(' OR ')})`;
}

/** The event names an action can match, or undefined when a step matches any event (no pruning possible). */
export function actionEventNames(steps: ActionStep[]): string[] | undefined {
  if (steps.some((step) => step.event === undefined)) return undefined;
  return [...new Set(steps.map((step) => step.event!))];
}
