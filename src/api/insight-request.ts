import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/pool.ts';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { createInsightContext, type InsightContext } from '../query/insight-context.ts';
import { insightFilterSchema, type InsightFilter, type InsightKind } from '../query/insight-filter.ts';
import { InsightCache, type CachedResult } from '../query/insight-cache.ts';
import { queryNodeToFilter } from '../query/query-node.ts';
import { runInsight } from '../query/run-insight.ts';
import { ApiError } from './api-error.ts';
import { parseInput } from './parse-query.ts';

// PostHog puts these filter fields in the query string as JSON.
const jsonFields = new Set(['events', 'actions', 'properties', 'target_entity', 'returning_entity', 'include_event_types', 'breakdown']);
const controlFields = new Set(['refresh', 'limit', 'offset', 'series', 'day', 'breakdown_value', 'funnel_step', 'funnel_step_breakdown', 'selected_interval', 'cohort', 'period_index', 'status', 'intervals', 'entity_order', 'lifecycle_type', 'stickiness_days']);

/** A filter from a query string: JSON-valued fields decoded; paging and data-point selectors left out. */
export function filterFromQueryString(query: Record<string, unknown>): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (controlFields.has(key) || typeof value !== 'string') continue;
    if (jsonFields.has(key) && /^\s*[[{]/.test(value)) {
      try {
        filter[key] = JSON.parse(value);
      } catch {
        throw new ApiError('invalid_input', `${key} is not valid JSON`, key);
      }
    } else filter[key] = value;
  }
  return filter;
}

/** A filter in PostHog's filter shape or its `{"kind": ...}` query shape, validated; `kind` forces the insight type. */
export function parseFilter(raw: unknown, kind?: InsightKind): InsightFilter {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError('invalid_input', 'the query must be a JSON object', 'query');
  const shaped = 'kind' in raw ? queryNodeToFilter(raw as Record<string, unknown>) : raw;
  return parseInput(insightFilterSchema, kind ? { ...shaped, insight: kind } : shaped);
}

export interface InsightResponse { result: unknown; last_refresh: string; is_cached: boolean; filters: InsightFilter }

export interface InsightRunner {
  context(projectId: number): Promise<InsightContext>;
  /** The result, from the cache when it is younger than `maxAgeSeconds` (default: the server's limit). */
  run(projectId: number, filter: InsightFilter, options?: { refresh?: boolean; maxAgeSeconds?: number }): Promise<InsightResponse>;
}

export function createInsightRunner(readDb: Queryable, cacheSeconds: number, clickhouse?: ClickHouseStore): InsightRunner {
  const cache = new InsightCache();
  const context = (projectId: number) => createInsightContext(readDb, projectId, new Date(), clickhouse);
  return {
    context,
    async run(projectId, filter, options = {}) {
      const insightContext = await context(projectId);
      const maxAge = options.refresh ? 0 : Math.min(cacheSeconds, options.maxAgeSeconds ?? cacheSeconds) * 1000;
      const key = InsightCache.key([projectId, insightContext.project.timezone, insightContext.project.weekStartDay, filter]);
      const cached: CachedResult<unknown> = await cache.get(key, maxAge, () => runInsight(insightContext, filter));
      return { result: cached.result, last_refresh: cached.computedAt.toISOString(), is_cached: cached.cached, filters: filter };
    },
  };
}

export const isRefresh = (request: FastifyRequest) => {
  const value = (request.query as Record<string, unknown>).refresh;
  return value === 'true' || value === '1' || value === 'force_blocking';
};
