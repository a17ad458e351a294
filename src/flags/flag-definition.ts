import { z } from 'zod';

/** The operators a release condition may use; each is evaluated by match-flag-property.ts. */
export const flagOperators = ['exact', 'is_not', 'icontains', 'not_icontains', 'regex', 'not_regex', 'gt', 'gte', 'lt', 'lte',
  'is_set', 'is_not_set', 'is_date_after', 'is_date_before'] as const;
export type FlagOperator = typeof flagOperators[number];

const scalar = z.union([z.string().max(65_536), z.number(), z.boolean()]);

const propertyConditionSchema = z.object({
  key: z.string().min(1).max(400),
  value: z.union([scalar, z.array(scalar).max(1000), z.null()]).optional(),
  operator: z.enum(flagOperators).nullish().transform((operator) => operator ?? 'exact'),
  type: z.enum(['person', 'group']).default('person'),
  group_type_index: z.number().int().min(0).max(4).nullish(),
  negation: z.boolean().optional(),
}).superRefine((property, context) => {
  if (property.operator !== 'regex' && property.operator !== 'not_regex') return;
  try {
    new RegExp(String(property.value ?? ''));
  } catch {
    context.addIssue({ code: 'custom', path: ['value'], message: 'is not a valid regular expression' });
  }
});

const cohortConditionSchema = z.object({
  key: z.literal('id').default('id'),
  type: z.literal('cohort'),
  value: z.coerce.number().int().positive(),
  operator: z.enum(['in', 'not_in']).nullish().transform((operator) => operator ?? 'in'),
  negation: z.boolean().optional(),
});

export const flagPropertySchema = z.union([cohortConditionSchema, propertyConditionSchema]);
export type FlagProperty = z.infer<typeof flagPropertySchema>;
export type FlagPropertyCondition = z.infer<typeof propertyConditionSchema>;
export type FlagCohortCondition = z.infer<typeof cohortConditionSchema>;

const percentage = z.number().min(0).max(100);

const conditionSchema = z.object({
  properties: z.array(flagPropertySchema).max(100).default([]),
  rollout_percentage: percentage.nullish(),
  variant: z.string().max(400).nullish(),
  description: z.string().max(1000).optional(),
});
export type FlagCondition = z.infer<typeof conditionSchema>;

const variantSchema = z.object({
  key: z.string().min(1).max(400),
  name: z.string().max(400).optional(),
  rollout_percentage: percentage,
});
export type FlagVariant = z.infer<typeof variantSchema>;

/** PostHog's `filters` of a flag: release conditions (an OR of groups), variants and payloads. */
export const flagFiltersSchema = z.object({
  groups: z.array(conditionSchema).max(100).default([]),
  multivariate: z.object({ variants: z.array(variantSchema).min(1).max(100) }).nullish(),
  // A payload is a JSON document per served value (`"true"` or a variant key), stored as the API got it.
  payloads: z.record(z.string(), z.unknown()).default({}),
  aggregation_group_type_index: z.number().int().min(0).max(4).nullish(),
}).superRefine((filters, context) => {
  const variants = filters.multivariate?.variants ?? [];
  const keys = new Set<string>();
  variants.forEach((variant, index) => {
    if (keys.has(variant.key)) context.addIssue({ code: 'custom', path: ['multivariate', 'variants', index, 'key'], message: `variant key "${variant.key}" is used twice` });
    keys.add(variant.key);
  });
  const total = variants.reduce((sum, variant) => sum + variant.rollout_percentage, 0);
  if (variants.length > 0 && Math.abs(total - 100) > 1e-9) {
    context.addIssue({ code: 'custom', path: ['multivariate', 'variants'], message: `variant rollout percentages must sum to 100, not ${total}` });
  }
  filters.groups.forEach((condition, index) => {
    if (condition.variant != null && !keys.has(condition.variant)) {
      context.addIssue({ code: 'custom', path: ['groups', index, 'variant'], message: `"${condition.variant}" is not one of the flag's variants` });
    }
    condition.properties.forEach((property, propertyIndex) => {
      const onGroups = filters.aggregation_group_type_index != null;
      if (property.type === 'group' && !onGroups) {
        context.addIssue({ code: 'custom', path: ['groups', index, 'properties', propertyIndex, 'type'], message: 'group properties need a flag aggregated by group (aggregation_group_type_index)' });
      }
      if (onGroups && property.type !== 'group') {
        context.addIssue({ code: 'custom', path: ['groups', index, 'properties', propertyIndex, 'type'], message: 'a flag aggregated by group can only filter on group properties' });
      }
    });
  });
  for (const key of Object.keys(filters.payloads)) {
    if (key !== 'true' && !keys.has(key)) context.addIssue({ code: 'custom', path: ['payloads', key], message: 'a payload belongs to "true" or to one of the variants' });
  }
});
export type FlagFilters = z.infer<typeof flagFiltersSchema>;

/** Flag keys as PostHog allows them: the SDKs put them in event property names (`$feature/<key>`). */
export const flagKeySchema = z.string().min(1).max(400).regex(/^[A-Za-z0-9_-]+$/, 'only letters, numbers, hyphens and underscores are allowed');

export const flagInputSchema = z.object({
  key: flagKeySchema,
  name: z.string().max(4000).default(''),
  active: z.boolean().default(true),
  filters: flagFiltersSchema.default({ groups: [{ properties: [], rollout_percentage: 100 }], payloads: {} }),
  ensure_experience_continuity: z.boolean().default(false),
});
export type FlagInput = z.infer<typeof flagInputSchema>;

export const flagUpdateSchema = z.object({
  key: flagKeySchema.optional(),
  name: z.string().max(4000).optional(),
  active: z.boolean().optional(),
  filters: flagFiltersSchema.optional(),
  ensure_experience_continuity: z.boolean().optional(),
});
export type FlagUpdate = z.infer<typeof flagUpdateSchema>;

/** A flag as evaluation sees it. */
export interface FeatureFlag {
  id: number;
  key: string;
  name: string;
  active: boolean;
  filters: FlagFilters;
  ensure_experience_continuity: boolean;
  version: number;
}
