import { z } from 'zod';
import type { SqlParams } from '../sql-params.ts';

const operators = ['exact', 'is_not', 'icontains', 'not_icontains', 'regex', 'not_regex', 'gt', 'gte', 'lt', 'lte',
  'is_set', 'is_not_set', 'is_date_after', 'is_date_before', 'is_date_exact'] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const propertyFilterSchema = z.object({
  key: z.string().min(1).max(400),
  value: z.union([scalar, z.array(scalar), z.null()]).optional(),
  operator: z.enum(operators).default('exact'),
  type: z.enum(['event', 'person']).default('event'),
});

export type PropertyFilter = z.infer<typeof propertyFilterSchema>;
export const propertyFiltersSchema = z.array(propertyFilterSchema).max(50);

const numberPattern = String.raw`^\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*$`;
const negativeOperators = new Set(['is_not', 'not_icontains', 'not_regex']);

function asNumber(value: PropertyFilter['value']): number {
  const number = Number(Array.isArray(value) ? value[0] : value);
  if (!Number.isFinite(number)) throw new Error('a numeric comparison needs a number value');
  return number;
}

function valuesAsText(value: PropertyFilter['value']): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * SQL condition for one property filter over the jsonb column `column`. The key and values are
 * parameters; negative operators also match rows where the key is missing or null.
 */
export function propertyCondition(column: string, filter: PropertyFilter, params: SqlParams): string {
  const key = params.add(filter.key);
  const text = `(${column} ->> ${key})`;
  const first = () => valuesAsText(filter.value)[0] ?? '';
  const numeric = `(CASE WHEN ${text} ~ '${numberPattern}' THEN ${text}::numeric END)`;
  const dateValue = () => params.add(first());
  let condition: string;
  switch (filter.operator) {
    case 'exact': condition = `${text} = ANY(${params.add(valuesAsText(filter.value))}::text[])`; break;
    case 'is_not': condition = `${text} <> ALL(${params.add(valuesAsText(filter.value))}::text[])`; break;
    case 'icontains': condition = `${text} ILIKE ${params.add(`%${escapeLike(first())}%`)}`; break;
    case 'not_icontains': condition = `${text} NOT ILIKE ${params.add(`%${escapeLike(first())}%`)}`; break;
    case 'regex': condition = `${text} ~ ${params.add(first())}`; break;
    case 'not_regex': condition = `${text} !~ ${params.add(first())}`; break;
    case 'gt': condition = `${numeric} > ${params.add(asNumber(filter.value))}`; break;
    case 'gte': condition = `${numeric} >= ${params.add(asNumber(filter.value))}`; break;
    case 'lt': condition = `${numeric} < ${params.add(asNumber(filter.value))}`; break;
    case 'lte': condition = `${numeric} <= ${params.add(asNumber(filter.value))}`; break;
    case 'is_set': return `(${column} ? ${key} AND ${column} -> ${key} <> 'null'::jsonb)`;
    case 'is_not_set': return `(NOT (${column} ? ${key}) OR ${column} -> ${key} = 'null'::jsonb)`;
    case 'is_date_after': condition = `sounder_try_timestamptz(${text}) > ${dateValue()}::timestamptz`; break;
    case 'is_date_before': condition = `sounder_try_timestamptz(${text}) < ${dateValue()}::timestamptz`; break;
    case 'is_date_exact': condition = `sounder_try_timestamptz(${text})::date = ${dateValue()}::date`; break;
  }
  return negativeOperators.has(filter.operator) ? `(${text} IS NULL OR ${condition})` : `(${condition})`;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}
