import { getFunnel } from './funnels/get-funnel.ts';
import type { InsightContext } from './insight-context.ts';
import type { InsightFilter, InsightKind } from './insight-filter.ts';
import { getLifecycle } from './lifecycle/get-lifecycle.ts';
import { getPaths } from './paths/get-paths.ts';
import { getRetention } from './retention/get-retention.ts';
import { getStickiness } from './stickiness/get-stickiness.ts';
import { getTrends } from './trends/get-trends.ts';

const insights: Record<InsightKind, (context: InsightContext, filter: InsightFilter) => Promise<unknown>> = {
  TRENDS: getTrends,
  FUNNELS: getFunnel,
  RETENTION: getRetention,
  PATHS: getPaths,
  STICKINESS: getStickiness,
  LIFECYCLE: getLifecycle,
};

/** The one entry to the engine: runs the insight the filter names. */
export function runInsight(context: InsightContext, filter: InsightFilter): Promise<unknown> {
  return insights[filter.insight](context, filter);
}
