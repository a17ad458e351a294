import { InvalidQueryError } from '../query-error.ts';
import type { SqlParams } from '../sql-params.ts';
import { textCondition, type PropertyOperator, type PropertyFilter } from './property-filter.ts';

// One attribute of one element in PostHog's elements_chain text (see capture/elements-chain.ts):
// `key="value"` after the element's `:` or after the previous attribute's closing quote; quotes
// inside values are escaped as \".
/** An element's tag: the name at the start of each element of the chain. */
export const tagNamePattern = '(?:^|;)([a-zA-Z0-9_-]+)';

export function attributePattern(name: string): string {
  return `(?:^|[:"])${name}="((?:[^"\\\\]|\\\\.)*)"`;
}

/**
 * Condition on an element attribute (`text`, `href`, `tag_name`) of any element in the chain,
 * with the filter's operator. Negative operators hold when no element matches positively.
 */
export function elementAttributeCondition(chain: string, attribute: 'text' | 'href' | 'tag_name', operator: PropertyOperator,
  value: PropertyFilter['value'], params: SqlParams): string {
  const negative = operator === 'is_not' || operator === 'not_icontains' || operator === 'not_regex' || operator === 'is_not_set';
  const positive = ({ is_not: 'exact', not_icontains: 'icontains', not_regex: 'regex', is_not_set: 'is_set' } as Record<string, PropertyOperator>)[operator] ?? operator;
  const values = attribute === 'tag_name'
    ? `regexp_matches(${chain}, '${tagNamePattern}', 'g')`
    : `regexp_matches(${chain}, ${params.add(attributePattern(attribute))}, 'g')`;
  const text = attribute === 'tag_name' ? 'm[1]' : `replace(m[1], '\\"', '"')`;
  const exists = `EXISTS (SELECT 1 FROM ${values} AS m WHERE ${textCondition(text, positive, value, params)})`;
  return negative ? `(NOT ${exists})` : exists;
}

const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface SelectorPart { tag?: string; classes: string[]; id?: string; child: boolean }

function parseSelector(selector: string): SelectorPart[] {
  const parts: SelectorPart[] = [];
  let child = false;
  for (const token of selector.trim().split(/\s+|(?=>)|(?<=>)/).filter(Boolean)) {
    if (token === '>') {
      child = true;
      continue;
    }
    const match = /^([a-zA-Z][a-zA-Z0-9-]*|\*)?((?:[.#][^.#\s>]+)*)$/.exec(token);
    if (!match) throw new InvalidQueryError(`unsupported selector part ${JSON.stringify(token)}: use tag, .class, #id, descendant and > child`, 'selector');
    const part: SelectorPart = { tag: match[1] === '*' ? undefined : match[1], classes: [], child };
    for (const piece of (match[2] ?? '').match(/[.#][^.#]+/g) ?? []) {
      if (piece.startsWith('.')) part.classes.push(piece.slice(1));
      else part.id = piece.slice(1);
    }
    parts.push(part);
    child = false;
  }
  if (parts.length === 0) throw new InvalidQueryError('the selector is empty', 'selector');
  return parts;
}

function elementPattern(part: SelectorPart): string {
  const otherClasses = '(?:\\.[^.:;]+)*';
  // The chain sorts an element's classes, so the selector's must appear in that order.
  const classes = [...part.classes].sort().map((name) => `${otherClasses}\\.${escapeRegex(name)}`).join('');
  const tag = part.tag ? escapeRegex(part.tag) : '[a-zA-Z0-9_-]*';
  // The id is matched by consuming up to it within the element (no lookahead), so the same
  // pattern runs on RE2, ClickHouse's regex engine, as well as on Postgres.
  const id = part.id ? `[^;]*attr_id="${escapeRegex(part.id)}"` : '';
  return `${tag}${classes}${otherClasses}:${id}[^;]*`;
}

/**
 * Regular expression an elements chain matches when some element in it matches the CSS
 * selector (tags, classes, ids, descendant and child combinators). The chain lists the
 * clicked element first, so the selector is matched from its last part outwards.
 */
export function selectorRegex(selector: string): string {
  const parts = parseSelector(selector).reverse();
  let pattern = `(?:^|;)${elementPattern(parts[0]!)}`;
  for (let index = 1; index < parts.length; index++) {
    const linkedAsChild = parts[index - 1]!.child;
    pattern += `${linkedAsChild ? ';' : '(?:;[^;]*)*;'}${elementPattern(parts[index]!)}`;
  }
  return pattern;
}

/** Condition for a PostHog element filter (`type: "element"`, key tag_name / text / href / selector). */
export function elementCondition(chain: string, filter: PropertyFilter, params: SqlParams): string {
  if (filter.key === 'selector') {
    const selectors = (Array.isArray(filter.value) ? filter.value : [filter.value ?? '']).map(String);
    const any = selectors.map((selector) => `${chain} ~ ${params.add(selectorRegex(selector))}`).join(' OR ');
    return filter.operator === 'is_not' ? `(NOT (${any}))` : `(${any})`;
  }
  if (filter.key !== 'text' && filter.key !== 'href' && filter.key !== 'tag_name') {
    throw new InvalidQueryError(`element filters take the key tag_name, text, href or selector, not ${JSON.stringify(filter.key)}`, 'properties');
  }
  return elementAttributeCondition(chain, filter.key, filter.operator, filter.value, params);
}
