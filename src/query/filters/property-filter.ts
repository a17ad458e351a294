import { z } from 'zod';
import { InvalidQueryError } from '../query-error.ts';
import type { SqlParams } from '../sql-params.ts';

const operators = ['exact', 'is_not', 'icontains', 'not_icontains', 'regex', 'not_regex', 'gt', 'gte', 'lt', 'lte',
  'is_set', 'is_not_set', 'is_date_after', 'is_date_before', 'is_date_exact'] as const;

export type PropertyOperator = typeof operators[number];

const scalar = z.union([z.string().max(65_536), z.number(), z.boolean()]);

export const propertyFilterSchema = z.object({
  key: z.union([z.string().min(1).max(400), z.number().int()]).transform(String),
  value: z.union([scalar, z.array(scalar).max(1000), z.null()]).optional(),
  operator: z.enum(operators).nullish().transform((operator) => operator ?? 'exact'),
  type: z.enum(['event', 'person', 'element', 'cohort']).default('event'),
});

export type PropertyFilter = z.infer<typeof propertyFilterSchema>;
export const propertyFiltersSchema = z.array(propertyFilterSchema).max(50);

const numberPattern = String.raw`^\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*$`;
const negativeOperators = new Set<PropertyOperator>(['is_not', 'not_icontains', 'not_regex']);

export function isNegativeOperator(operator: PropertyOperator): boolean {
  return negativeOperators.has(operator);
}

function asNumber(value: PropertyFilter['value']): number {
  const number = Number(Array.isArray(value) ? value[0] : value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(number)) {
    throw new InvalidQueryError('a numeric comparison (gt, gte, lt, lte) needs a number value', 'properties');
  }
  return number;
}

export function valuesAsText(value: PropertyFilter['value']): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** The text of a number-looking value as numeric, else NULL: "5", 5 and 5.0 all compare as numbers. */
export function numericOf(text: string): string {
  return `(CASE WHEN ${text} ~ '${numberPattern}' THEN ${text}::numeric END)`;
}

/**
 * Condition comparing the SQL text expression `text` with a filter's operator and value: the
 * part every property-like filter (event and person properties, element attributes) shares.
 * Values are parameters. Negative operators also match a missing (NULL) value.
 */
export function textCondition(text: string, operator: PropertyOperator, value: PropertyFilter['value'], params: SqlParams): string {
  const first = () => valuesAsText(value)[0] ?? '';
  let condition: string;
  switch (operator) {
    case 'exact': condition = `${text} = ANY(${params.add(valuesAsText(value))}::text[])`; break;
    case 'is_not': condition = `${text} <> ALL(${params.add(valuesAsText(value))}::text[])`; break;
    case 'icontains': condition = `${text} ILIKE ${params.add(`%${escapeLike(first())}%`)}`; break;
    case 'not_icontains': condition = `${text} NOT ILIKE ${params.add(`%${escapeLike(first())}%`)}`; break;
    case 'regex': condition = `${text} ~ ${params.add(first())}`; break;
    case 'not_regex': condition = `${text} !~ ${params.add(first())}`; break;
    case 'gt': condition = `${numericOf(text)} > ${params.add(asNumber(value))}`; break;
    case 'gte': condition = `${numericOf(text)} >= ${params.add(asNumber(value))}`; break;
    case 'lt': condition = `${numericOf(text)} < ${params.add(asNumber(value))}`; break;
    case 'lte': condition = `${numericOf(text)} <= ${params.add(asNumber(value))}`; break;
    case 'is_set': condition = `${text} IS NOT NULL`; break;
    case 'is_not_set': return `(${text} IS NULL)`;
    case 'is_date_after': condition = `sounder_try_timestamptz(${text}) > ${params.add(first())}::timestamptz`; break;
    case 'is_date_before': condition = `sounder_try_timestamptz(${text}) < ${params.add(first())}::timestamptz`; break;
    case 'is_date_exact': condition = `sounder_try_timestamptz(${text})::date = ${params.add(first())}::date`; break;
  }
  return negativeOperators.has(operator) ? `(${text} IS NULL OR ${condition})` : `(${condition})`;
}

/**
 * SQL condition for one property filter over the jsonb column `column`. The key and values are
 * parameters. A JSON null counts as missing.
 */
export function propertyCondition(column: string, filter: PropertyFilter, params: SqlParams): string {
  const key = params.add(filter.key);
  return textCondition(`(${column} ->> ${key})`, filter.operator, filter.value, params);
}
