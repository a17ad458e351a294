import type { PropertyFilter } from './types.ts';

export type Matching = 'exact' | 'contains' | 'regex';

/** One way an event can match an action; empty fields are not checked. */
export interface ActionStep {
  event?: string | null;
  url?: string | null;
  url_matching?: Matching;
  selector?: string | null;
  text?: string | null;
  text_matching?: Matching | null;
  href?: string | null;
  href_matching?: Matching | null;
  properties?: PropertyFilter[];
}
export interface Action { id: number; name: string; description: string; steps: ActionStep[]; created_at: string; updated_at: string }

export interface PersonCriterion { type: 'person'; key: string; operator: string; value?: unknown; negation?: boolean }
export interface BehaviouralCriterion {
  type: 'behavioral';
  key: string;
  value: 'performed_event' | 'performed_event_multiple';
  event_type: 'events';
  time_value: number;
  time_interval: 'day';
  operator: 'gte';
  operator_value: number;
  negation: boolean;
}
export type CohortCriterion = PersonCriterion | BehaviouralCriterion;
export interface CohortGroup { type: 'AND' | 'OR'; values: Array<CohortCriterion | CohortGroup | { type: 'cohort'; value: number }> }
export interface Cohort {
  id: number;
  name: string;
  description: string;
  is_static: boolean;
  filters: { properties: CohortGroup } | null;
  count: number | null;
  last_calculation: string | null;
  errors_calculating: string | null;
  is_calculating: boolean;
  created_at: string;
}

export interface FlagPropertyCondition { key: string; value?: unknown; operator: string; type: 'person' | 'cohort' }
export interface FlagCondition { properties: FlagPropertyCondition[]; rollout_percentage?: number | null; variant?: string | null }
export interface FlagVariant { key: string; name?: string; rollout_percentage: number }
export interface FeatureFlag {
  id: number;
  key: string;
  name: string;
  active: boolean;
  filters: { groups: FlagCondition[]; multivariate?: { variants: FlagVariant[] } | null; payloads?: Record<string, unknown> };
  ensure_experience_continuity: boolean;
  version: number;
  created_at: string;
  updated_at: string;
}
export interface FlagUsage { evaluations: number; distinct_ids: number; responses: Array<{ value: string; evaluations: number; distinct_ids: number }> }
