import type { ActionStep } from '../filters/action-condition.ts';
import { attributePattern, selectorRegex, tagNamePattern } from '../filters/element-condition.ts';
import type { PropertyFilter, PropertyOperator } from '../filters/property-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { clickHouseGroupCondition, clickHouseTextCondition, type ClickHouseScope } from './clickhouse-filters.ts';
import type { ClickHouseParams } from './clickhouse-params.ts';

const positiveOf: Partial<Record<PropertyOperator, PropertyOperator>> = { is_not: 'exact', not_icontains: 'icontains', not_regex: 'regex', is_not_set: 'is_set' };

/** Whether some element's text, href or tag matches: the ClickHouse form of elementAttributeCondition (same patterns, RE2). */
function attributeCondition(attribute: 'text' | 'href' | 'tag_name', operator: PropertyOperator, value: PropertyFilter['value'], params: ClickHouseParams): string {
  const positive = positiveOf[operator] ?? operator;
  const pattern = attribute === 'tag_name' ? tagNamePattern : attributePattern(attribute);
  const text = attribute === 'tag_name' ? 'v' : `replaceAll(v, '\\\\"', '"')`;
  const exists = `arrayExists(v -> ${clickHouseTextCondition(text, positive, value, params)}, extractAll(elements_chain, ${params.add(pattern)}))`;
  return positive === operator ? `(${exists})` : `(NOT ${exists})`;
}

/** A PostHog element filter (key tag_name, text, href or selector) on ClickHouse. */
export function clickHouseElementCondition(filter: PropertyFilter, params: ClickHouseParams): string {
  if (filter.key === 'selector') {
    const selectors = (Array.isArray(filter.value) ? filter.value : [filter.value ?? '']).map(String);
    const any = selectors.map((selector) => `match(elements_chain, ${params.add(selectorRegex(selector))})`).join(' OR ');
    return filter.operator === 'is_not' ? `(NOT (${any}))` : `(${any})`;
  }
  if (filter.key !== 'text' && filter.key !== 'href' && filter.key !== 'tag_name') {
    throw new InvalidQueryError(`element filters take the key tag_name, text, href or selector, not ${JSON.stringify(filter.key)}`, 'properties');
  }
  return attributeCondition(filter.key, filter.operator, filter.value, params);
}

const operatorFor: Record<'exact' | 'contains' | 'regex', PropertyOperator> = { exact: 'exact', contains: 'icontains', regex: 'regex' };

/** An event matches an action when it matches any of its steps (action-condition.ts's semantics). */
export function clickHouseActionCondition(steps: ActionStep[], scope: ClickHouseScope, params: ClickHouseParams): string {
  return `(${steps.map((step) => {
    const parts: string[] = [];
    if (step.event !== undefined) parts.push(`event = ${params.add(step.event)}`);
    if (step.url !== undefined) parts.push(clickHouseTextCondition(scope.eventProperty('$current_url'), operatorFor[step.url_matching], step.url, params));
    if (step.selector !== undefined) parts.push(`match(elements_chain, ${params.add(selectorRegex(step.selector))})`);
    if (step.tag_name !== undefined) parts.push(attributeCondition('tag_name', 'exact', step.tag_name, params));
    if (step.text !== undefined) parts.push(attributeCondition('text', operatorFor[step.text_matching], step.text, params));
    if (step.href !== undefined) parts.push(attributeCondition('href', operatorFor[step.href_matching], step.href, params));
    if (step.properties.length > 0) parts.push(clickHouseGroupCondition({ type: 'AND', values: step.properties }, scope, params));
    return parts.length === 0 ? '1' : `(${parts.join(' AND ')})`;
  }).join(' OR ')})`;
}
