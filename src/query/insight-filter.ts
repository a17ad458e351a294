import { z } from 'zod';
import { propertiesSchema } from './filters/filter-condition.ts';

export const insightKinds = ['TRENDS', 'FUNNELS', 'RETENTION', 'PATHS', 'STICKINESS', 'LIFECYCLE'] as const;
export type InsightKind = typeof insightKinds[number];

export const intervals = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Interval = typeof intervals[number];

export const mathKinds = ['total', 'dau', 'weekly_active', 'monthly_active', 'unique_session',
  'sum', 'avg', 'min', 'max', 'median', 'p90', 'p95', 'p99'] as const;
export type MathKind = typeof mathKinds[number];
export const propertyMath = new Set<MathKind>(['sum', 'avg', 'min', 'max', 'median', 'p90', 'p95', 'p99']);

const noEmptyProperties = propertiesSchema.optional().transform((value) => value ?? { type: 'AND' as const, values: [] });

export const seriesSchema = z.object({
  id: z.union([z.string().min(1).max(400), z.number().int(), z.null()]),
  type: z.enum(['events', 'actions']).default('events'),
  order: z.number().int().optional(),
  name: z.string().max(400).nullish(),
  custom_name: z.string().max(400).nullish(),
  math: z.enum(mathKinds).nullish().transform((value) => value ?? 'total'),
  math_property: z.string().min(1).max(400).nullish(),
  properties: noEmptyProperties,
}).superRefine((series, context) => {
  if (propertyMath.has(series.math) && !series.math_property) {
    context.addIssue({ code: 'custom', path: ['math_property'], message: `math "${series.math}" needs a math_property` });
  }
});

export type Series = z.infer<typeof seriesSchema> & { index: number };

const relativeOrAbsoluteDate = z.string().min(1).max(64).nullish();
const booleanLike = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((value) => value === true || value === 'true' || value === '1');
const positive = (max: number) => z.coerce.number().int().min(1).max(max);

export const insightFilterSchema = z.object({
  insight: z.enum(insightKinds).default('TRENDS'),
  events: z.array(seriesSchema).max(30).default([]),
  actions: z.array(seriesSchema).max(30).default([]),
  properties: noEmptyProperties,
  date_from: relativeOrAbsoluteDate,
  date_to: relativeOrAbsoluteDate,
  interval: z.enum(intervals).default('day'),
  display: z.string().max(64).nullish(),
  breakdown: z.union([z.string().min(1).max(400), z.number().int(), z.array(z.union([z.string(), z.number()])).max(50)]).nullish(),
  breakdown_type: z.enum(['event', 'person', 'cohort']).nullish(),
  breakdown_limit: positive(1000).default(25),
  compare: booleanLike.default(false),
  formula: z.string().max(1000).nullish(),
  // Funnels
  funnel_window_days: positive(3650).nullish(),
  funnel_window_interval: positive(100_000).nullish(),
  funnel_window_interval_unit: z.enum(['second', 'minute', 'hour', 'day', 'week', 'month']).nullish(),
  funnel_order_type: z.enum(['ordered', 'strict', 'unordered']).default('ordered'),
  funnel_viz_type: z.enum(['steps', 'time_to_convert', 'trends']).default('steps'),
  bin_count: positive(90).nullish(),
  // Retention
  retention_type: z.enum(['retention_first_time', 'retention_recurring']).default('retention_recurring'),
  target_entity: seriesSchema.nullish(),
  returning_entity: seriesSchema.nullish(),
  period: z.enum(['Hour', 'Day', 'Week', 'Month']).default('Day'),
  total_intervals: positive(100).default(11),
  // Paths
  include_event_types: z.array(z.enum(['$pageview', '$screen', 'custom_event'])).max(3).default(['$pageview']),
  start_point: z.string().max(2000).nullish(),
  end_point: z.string().max(2000).nullish(),
  step_limit: positive(20).default(5),
  path_strip_query: booleanLike.default(false),
  edge_limit: positive(1000).default(50),
  // Stickiness and lifecycle read `interval`; lifecycle reads one series.
}).passthrough();

export type InsightFilter = z.infer<typeof insightFilterSchema>;

/** The series of a filter in their order (events and actions together, as PostHog sorts them). */
export function seriesOf(filter: InsightFilter): Series[] {
  const all = [...filter.events, ...filter.actions];
  return all
    .map((series, position) => ({ series, position }))
    .sort((a, b) => (a.series.order ?? a.position) - (b.series.order ?? b.position) || a.position - b.position)
    .map(({ series }, index) => ({ ...series, index }));
}
