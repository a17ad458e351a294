import { InvalidQueryError } from './query-error.ts';

type Json = Record<string, any>;

const kinds: Record<string, string> = {
  TrendsQuery: 'TRENDS', FunnelsQuery: 'FUNNELS', RetentionQuery: 'RETENTION', PathsQuery: 'PATHS', StickinessQuery: 'STICKINESS', LifecycleQuery: 'LIFECYCLE',
};

function seriesToEntity(node: Json, order: number): Json {
  const type = node.kind === 'ActionsNode' ? 'actions' : 'events';
  return {
    id: type === 'actions' ? node.id : node.event ?? null, type, order, name: node.name ?? node.event ?? null, custom_name: node.custom_name ?? null,
    math: node.math ?? 'total', math_property: node.math_property ?? null, properties: node.properties ?? [],
  };
}

const defined = (object: Json) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/**
 * PostHog's newer query shape (`{"kind": "TrendsQuery", "series": [...], "trendsFilter": ...}`,
 * optionally inside an InsightVizNode) as the filter shape the engine reads.
 */
export function queryNodeToFilter(input: Json): Json {
  const node = input.kind === 'InsightVizNode' || input.kind === 'DataVisualizationNode' ? input.source ?? {} : input;
  const insight = kinds[node.kind];
  if (!insight) throw new InvalidQueryError(`unsupported query kind ${JSON.stringify(node.kind)}: use ${Object.keys(kinds).join(', ')}`, 'kind');
  const series = Array.isArray(node.series) ? node.series.map(seriesToEntity) : [];
  const breakdown = node.breakdownFilter ?? {};
  const trends = node.trendsFilter ?? {};
  const funnels = node.funnelsFilter ?? {};
  const retention = node.retentionFilter ?? {};
  const paths = node.pathsFilter ?? {};
  return defined({
    insight,
    events: series.filter((entity: Json) => entity.type === 'events'),
    actions: series.filter((entity: Json) => entity.type === 'actions'),
    properties: node.properties,
    date_from: node.dateRange?.date_from,
    date_to: node.dateRange?.date_to,
    interval: node.interval,
    breakdown: breakdown.breakdown,
    breakdown_type: breakdown.breakdown_type,
    breakdown_limit: breakdown.breakdown_limit,
    compare: node.compareFilter?.compare ?? trends.compare,
    display: trends.display,
    formula: trends.formula ?? (Array.isArray(trends.formulas) ? trends.formulas[0] : undefined),
    funnel_window_interval: funnels.funnelWindowInterval,
    funnel_window_interval_unit: funnels.funnelWindowIntervalUnit,
    funnel_order_type: funnels.funnelOrderType,
    funnel_viz_type: funnels.funnelVizType,
    bin_count: funnels.binCount,
    retention_type: retention.retentionType,
    total_intervals: retention.totalIntervals,
    period: retention.period,
    target_entity: retention.targetEntity ? { type: 'events', ...retention.targetEntity } : undefined,
    returning_entity: retention.returningEntity ? { type: 'events', ...retention.returningEntity } : undefined,
    include_event_types: paths.includeEventTypes,
    start_point: paths.startPoint,
    end_point: paths.endPoint,
    step_limit: paths.stepLimit,
    edge_limit: paths.edgeLimit,
    path_strip_query: paths.pathStripQuery,
  });
}
