import { z } from 'zod';
import { propertyFilterSchema } from '../query/filters/property-filter.ts';

/** "Did EVENT in the last N days" (at least `operator_value` times for performed_event_multiple). */
export const behavioralFilterSchema = z.object({
  type: z.literal('behavioral'),
  key: z.union([z.string().min(1).max(400), z.number().int()]).transform(String),
  value: z.enum(['performed_event', 'performed_event_multiple']).default('performed_event'),
  event_type: z.enum(['events', 'actions']).default('events'),
  time_value: z.coerce.number().int().min(1).max(3650).default(30),
  time_interval: z.enum(['hour', 'day', 'week', 'month', 'year']).default('day'),
  operator: z.enum(['gte', 'lte', 'exact']).default('gte'),
  operator_value: z.coerce.number().int().min(0).max(1_000_000).default(1),
  negation: z.boolean().default(false),
});

const personFilterSchema = propertyFilterSchema.and(z.object({ type: z.literal('person'), negation: z.boolean().default(false) }));
const nestedCohortSchema = z.object({ type: z.literal('cohort'), key: z.string().default('id'), value: z.coerce.number().int(), negation: z.boolean().default(false) });

export type BehavioralFilter = z.infer<typeof behavioralFilterSchema>;
export type CohortLeaf = z.infer<typeof behavioralFilterSchema> | z.infer<typeof personFilterSchema> | z.infer<typeof nestedCohortSchema>;
export interface CohortGroup { type: 'AND' | 'OR'; values: Array<CohortLeaf | CohortGroup> }

const leafSchema = z.union([behavioralFilterSchema, nestedCohortSchema, personFilterSchema]);
export const cohortGroupSchema: z.ZodType<CohortGroup> = z.lazy(() => z.object({
  type: z.enum(['AND', 'OR']),
  values: z.array(z.union([cohortGroupSchema, leafSchema])).max(100),
})) as z.ZodType<CohortGroup>;

/** A dynamic cohort's definition, as PostHog's API takes it: `{"properties": {"type": "OR", "values": [...]}}`. */
export const cohortFiltersSchema = z.object({ properties: cohortGroupSchema });
export type CohortFilters = z.infer<typeof cohortFiltersSchema>;

export function isCohortGroup(item: CohortLeaf | CohortGroup): item is CohortGroup {
  return 'values' in item && Array.isArray((item as CohortGroup).values);
}
