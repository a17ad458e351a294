import type { CohortGroup, CohortLeaf } from '../cohorts/cohort-definition.ts';
import { isCohortGroup } from '../cohorts/cohort-definition.ts';
import type { FeatureFlag, FlagProperty, FlagPropertyCondition } from './flag-definition.ts';
import { isInRollout, variantFor } from './flag-hash.ts';
import { matchFlagProperty, type PropertyValues } from './match-flag-property.ts';

/**
 * How a cohort in a release condition is decided. A cohort of person properties only is matched
 * against the properties in hand (stored ones merged with what the SDK sent), exactly as the
 * SDKs match it locally; any other cohort (behavioural or static) by its computed membership.
 */
export type FlagCohort = { kind: 'properties'; group: CohortGroup } | { kind: 'membership' };

/** Everything about a project that evaluation needs, loaded once and cached (flag-definitions-cache.ts). */
export interface FlagDefinitions {
  projectId: number;
  flags: FeatureFlag[];
  groupTypes: Map<number, string>;
  cohorts: Map<number, FlagCohort>;
}

/** Who is asking: one distinct id, with their properties and groups. */
export interface FlagSubject {
  distinctId: string;
  personProperties: PropertyValues;
  groups: Record<string, string>;
  groupProperties: Record<string, PropertyValues>;
  /** Flag key → the id to hash instead of the distinct id (experience continuity). */
  hashKeys: Map<string, string>;
  /** Membership cohorts the person is in. */
  cohortIds: Set<number>;
}

export type FlagReasonCode = 'condition_match' | 'no_condition_match' | 'out_of_rollout_bound' | 'no_group_type' | 'disabled';

export interface FlagResult {
  flag: FeatureFlag;
  enabled: boolean;
  variant: string | null;
  reason: { code: FlagReasonCode; condition_index: number | null; description: string };
}

function result(flag: FeatureFlag, code: FlagReasonCode, description: string, conditionIndex: number | null = null, variant?: string): FlagResult {
  return { flag, enabled: code === 'condition_match', variant: variant ?? null, reason: { code, condition_index: conditionIndex, description } };
}

/** One flag for one subject. Conditions are tried in order; the first that matches and whose rollout holds the id wins. */
export function evaluateFlag(definitions: FlagDefinitions, flag: FeatureFlag, subject: FlagSubject): FlagResult {
  if (!flag.active) return result(flag, 'disabled', 'Feature flag is disabled');
  const filters = flag.filters;
  let bucketingValue: string;
  let properties: PropertyValues;
  if (filters.aggregation_group_type_index != null) {
    const groupType = definitions.groupTypes.get(filters.aggregation_group_type_index);
    const groupKey = groupType !== undefined && Object.hasOwn(subject.groups, groupType) ? subject.groups[groupType] : undefined;
    if (groupType === undefined || groupKey === undefined) return result(flag, 'no_group_type', 'The request names no group of the flag\'s group type');
    bucketingValue = groupKey;
    properties = subject.groupProperties[groupType] ?? { $group_key: groupKey };
  } else {
    bucketingValue = (flag.ensure_experience_continuity ? subject.hashKeys.get(flag.key) : undefined) ?? subject.distinctId;
    properties = subject.personProperties;
  }
  let outOfRollout = false;
  for (const [index, condition] of filters.groups.entries()) {
    if (!condition.properties.every((property) => matchesProperty(definitions, property, properties, subject))) continue;
    if (!isInRollout(flag.key, bucketingValue, condition.rollout_percentage)) {
      outOfRollout = true;
      continue;
    }
    const variants = filters.multivariate?.variants ?? [];
    const variant = condition.variant != null && variants.some((candidate) => candidate.key === condition.variant)
      ? condition.variant
      : variantFor(flag.key, bucketingValue, variants);
    return result(flag, 'condition_match', `Matched condition set ${index + 1}`, index, variant);
  }
  return outOfRollout
    ? result(flag, 'out_of_rollout_bound', 'Out of rollout bound')
    : result(flag, 'no_condition_match', 'No matching condition set');
}

function matchesProperty(definitions: FlagDefinitions, property: FlagProperty, values: PropertyValues, subject: FlagSubject): boolean {
  if (property.type === 'cohort') {
    const inCohort = isInCohort(definitions, property.value, values, subject, new Set());
    return property.operator === 'not_in' ? !inCohort : inCohort;
  }
  return matchFlagProperty(property, values);
}

function isInCohort(definitions: FlagDefinitions, cohortId: number, values: PropertyValues, subject: FlagSubject, visiting: Set<number>): boolean {
  const cohort = definitions.cohorts.get(cohortId);
  // A deleted or unknown cohort holds nobody; a cycle of cohorts holds nobody either.
  if (!cohort || visiting.has(cohortId)) return false;
  if (cohort.kind === 'membership') return subject.cohortIds.has(cohortId);
  visiting.add(cohortId);
  try {
    return matchesGroup(definitions, cohort.group, values, subject, visiting);
  } finally {
    visiting.delete(cohortId);
  }
}

function matchesGroup(definitions: FlagDefinitions, group: CohortGroup, values: PropertyValues, subject: FlagSubject, visiting: Set<number>): boolean {
  const matches = (item: CohortLeaf | CohortGroup): boolean => {
    if (isCohortGroup(item)) return matchesGroup(definitions, item, values, subject, visiting);
    const matched = item.type === 'cohort'
      ? isInCohort(definitions, item.value, values, subject, visiting)
      : item.type === 'person' && matchFlagProperty(item as FlagPropertyCondition, values);
    return matched !== (item.negation ?? false);
  };
  return group.type === 'AND' ? group.values.every(matches) : group.values.some(matches);
}
