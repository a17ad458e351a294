import { z } from 'zod';
import type { SqlParams } from '../sql-params.ts';
import { elementCondition } from './element-condition.ts';
import { propertyCondition, propertyFilterSchema, type PropertyFilter } from './property-filter.ts';

/** Where a filter finds what it tests in the query it is added to: SQL expressions of that query. */
export interface FilterScope {
  projectId: string;
  properties: string;
  personProperties: string;
  elementsChain: string;
  personId: string;
}

export interface PropertyGroup { type: 'AND' | 'OR'; values: Array<PropertyFilter | PropertyGroup> }

export const propertyGroupSchema: z.ZodType<PropertyGroup> = z.lazy(() => z.object({
  type: z.enum(['AND', 'OR']),
  values: z.array(z.union([propertyGroupSchema, propertyFilterSchema])).max(100),
}));

/** PostHog sends either a plain list (all must hold) or a nested AND/OR group. */
export const propertiesSchema = z.union([z.array(z.union([propertyGroupSchema, propertyFilterSchema])).max(100), propertyGroupSchema])
  .transform((value): PropertyGroup => (Array.isArray(value) ? { type: 'AND', values: value } : value));

const isGroup = (item: PropertyFilter | PropertyGroup): item is PropertyGroup => 'values' in item && Array.isArray(item.values) && (item.type === 'AND' || item.type === 'OR');

export function cohortMembership(scope: FilterScope, cohortId: unknown, params: SqlParams): string {
  return `${scope.personId} IN (SELECT cp.person_uuid FROM cohort_people cp JOIN cohorts c ON c.id = cp.cohort_id
    WHERE c.project_id = ${scope.projectId} AND c.id = ${params.add(Number(cohortId))}::int)`;
}

export function filterCondition(filter: PropertyFilter, scope: FilterScope, params: SqlParams): string {
  switch (filter.type) {
    case 'event': return propertyCondition(scope.properties, filter, params);
    case 'person': return propertyCondition(scope.personProperties, filter, params);
    case 'element': return elementCondition(scope.elementsChain, filter, params);
    case 'cohort': {
      const ids = Array.isArray(filter.value) ? filter.value : [filter.value];
      const any = ids.map((id) => cohortMembership(scope, id, params)).join(' OR ');
      return filter.operator === 'is_not' || filter.operator === 'not_icontains' ? `NOT (${any})` : `(${any})`;
    }
  }
}

/** How another store prints one filter, and the condition that always holds (18.16 has no TRUE). */
export interface FilterPrinter { filter(filter: PropertyFilter): string; always: string }

/** The condition of a whole group, or the always-true condition when it is empty. */
export function groupCondition(group: PropertyGroup, scope: FilterScope | undefined, params: SqlParams,
  printer: FilterPrinter = { filter: (filter) => filterCondition(filter, scope!, params), always: 'TRUE' }): string {
  const parts = group.values.map((item) => (isGroup(item) ? groupCondition(item, scope, params, printer) : printer.filter(item)));
  if (parts.length === 0) return printer.always;
  return `(${parts.join(group.type === 'AND' ? ' AND ' : ' OR ')})`;
}

/** Whether any filter in the group reads person properties, so the query must join persons. */
export function usesPersonProperties(group: PropertyGroup): boolean {
  return group.values.some((item) => (isGroup(item) ? usesPersonProperties(item) : item.type === 'person'));
}

export function flattenFilters(group: PropertyGroup): PropertyFilter[] {
  return group.values.flatMap((item) => (isGroup(item) ? flattenFilters(item) : [item]));
}
