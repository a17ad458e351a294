import type { PropertyFilter } from './types.ts';

export type InsightKind = 'TRENDS' | 'FUNNELS' | 'RETENTION' | 'PATHS' | 'STICKINESS' | 'LIFECYCLE';
export type PathEventType = '$pageview' | '$screen' | 'custom_event';
export interface SeriesEntity { id: string | number; type: 'events' | 'actions'; order: number; name?: string; math?: string; math_property?: string }

/** PostHog's filter shape, as the builder edits it and the API stores it. */
export interface InsightFilter {
  insight: InsightKind;
  events: SeriesEntity[];
  actions?: SeriesEntity[];
  /** A flat list (all must match); a stored insight may hold PostHog's nested groups instead. */
  properties?: PropertyFilter[] | PropertyGroup;
  date_from?: string;
  date_to?: string;
  interval?: string;
  /** A property name, or cohort ids when `breakdown_type` is `cohort`. */
  breakdown?: string | Array<number | 'all'>;
  breakdown_type?: 'event' | 'person' | 'cohort';
  formula?: string;
  compare?: boolean;
  display?: string;
  funnel_window_interval?: number;
  funnel_window_interval_unit?: string;
  funnel_order_type?: string;
  retention_type?: 'retention_first_time' | 'retention_recurring';
  target_entity?: SeriesEntity;
  returning_entity?: SeriesEntity;
  period?: 'Hour' | 'Day' | 'Week' | 'Month';
  total_intervals?: number;
  include_event_types?: PathEventType[];
  start_point?: string;
  end_point?: string;
  step_limit?: number;
  path_strip_query?: boolean;
}

export interface PropertyGroup { type: 'AND' | 'OR'; values: (PropertyFilter | PropertyGroup)[] }

/** A filter's events and actions as one list in their order, which is how the builder edits them. */
export function seriesList(filter: InsightFilter): SeriesEntity[] {
  return [...filter.events, ...(filter.actions ?? [])].sort((a, b) => a.order - b.order);
}

/** The list back in PostHog's shape: events and actions apart, each keeping its place in the order. */
export function withSeries(filter: InsightFilter, list: SeriesEntity[]): InsightFilter {
  const ordered = list.map((entity, order) => ({ ...entity, order }));
  return { ...filter, events: ordered.filter((entity) => entity.type !== 'actions'), actions: ordered.filter((entity) => entity.type === 'actions') };
}

const isGroup = (value: PropertyFilter | PropertyGroup): value is PropertyGroup => 'values' in value && Array.isArray((value as PropertyGroup).values);

/** The filters of a group that only ANDs, as the flat list the editor shows; undefined when it has OR branches. */
export function flatProperties(properties: InsightFilter['properties']): PropertyFilter[] | undefined {
  if (properties === undefined || Array.isArray(properties)) return properties ?? [];
  if (properties.type === 'OR' && properties.values.length > 1) return undefined;
  const flat: PropertyFilter[] = [];
  for (const value of properties.values) {
    const inner = isGroup(value) ? flatProperties(value) : [value];
    if (!inner) return undefined;
    flat.push(...inner);
  }
  return flat;
}

export interface TrendsSeries {
  action: { id: string | null; name: string; order: number; math: string };
  label: string;
  count: number;
  data: number[];
  labels: string[];
  days: string[];
  aggregated_value?: number;
  breakdown_value?: string | number;
  compare_label?: 'current' | 'previous';
}

export interface FunnelStep {
  name: string;
  custom_name: string | null;
  order: number;
  count: number;
  conversion_rate: number;
  step_conversion_rate: number;
  dropped_off: number;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  breakdown_value?: string;
}

export interface RetentionCohort { label: string; date: string; values: Array<{ count: number }> }
export interface PathEdge { source: string; target: string; value: number; average_conversion_time: number }
export interface StickinessSeries { action: { order: number }; label: string; count: number; data: number[]; labels: string[]; days: number[] }
export interface LifecycleSeries { status: 'new' | 'returning' | 'resurrecting' | 'dormant'; label: string; data: number[]; count: number; labels: string[]; days: string[] }

export interface InsightResponse<R = unknown> { result: R; last_refresh: string; is_cached: boolean }
export interface SavedInsight { id: number; short_id: string; name: string; description: string; filters: InsightFilter; created_at: string; updated_at: string }

/** Each kind's API route, its path in the app, and its name for people. */
export const insightKinds: Record<InsightKind, { route: string; slug: string; name: string; noun: string }> = {
  TRENDS: { route: 'trend', slug: 'trends', name: 'Trends', noun: 'trend' },
  FUNNELS: { route: 'funnel', slug: 'funnel', name: 'Funnel', noun: 'funnel' },
  RETENTION: { route: 'retention', slug: 'retention', name: 'Retention', noun: 'retention' },
  PATHS: { route: 'path', slug: 'paths', name: 'Paths', noun: 'paths' },
  STICKINESS: { route: 'stickiness', slug: 'stickiness', name: 'Stickiness', noun: 'stickiness' },
  LIFECYCLE: { route: 'lifecycle', slug: 'lifecycle', name: 'Lifecycle', noun: 'lifecycle' },
};

export const kindOfSlug = (slug: string | undefined): InsightKind =>
  (Object.entries(insightKinds).find(([, kind]) => kind.slug === slug)?.[0] as InsightKind | undefined) ?? 'TRENDS';

const pageview = (order = 0): SeriesEntity => ({ id: '$pageview', type: 'events', order });

export function newFilter(kind: InsightKind): InsightFilter {
  switch (kind) {
    case 'FUNNELS':
      return {
        insight: 'FUNNELS', date_from: '-30d', funnel_window_interval: 14, funnel_window_interval_unit: 'day', funnel_order_type: 'ordered',
        events: [pageview(0), { id: '$autocapture', type: 'events', order: 1 }],
      };
    case 'RETENTION':
      return { insight: 'RETENTION', events: [], target_entity: pageview(), returning_entity: pageview(), period: 'Day', total_intervals: 11, retention_type: 'retention_first_time' };
    case 'PATHS':
      return { insight: 'PATHS', events: [], date_from: '-7d', include_event_types: ['$pageview'], step_limit: 5, path_strip_query: true };
    case 'STICKINESS':
      return { insight: 'STICKINESS', date_from: '-7d', interval: 'day', events: [pageview()] };
    case 'LIFECYCLE':
      return { insight: 'LIFECYCLE', date_from: '-7d', interval: 'day', events: [pageview()] };
    case 'TRENDS':
      return { insight: 'TRENDS', date_from: '-7d', interval: 'day', display: 'ActionsLineGraph', events: [{ ...pageview(), math: 'total' }] };
  }
}

/** The filter as PostHog's query string: JSON-valued fields JSON-encoded (for the persons of a data point). */
export function filterQuery(filter: InsightFilter, extra: Record<string, string | number | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    if (value === undefined || value === null) continue;
    query.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return query.toString();
}
