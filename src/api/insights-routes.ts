import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { getFunnelPersonIds } from '../query/funnels/get-funnel.ts';
import type { InsightFilter, InsightKind } from '../query/insight-filter.ts';
import { getLifecyclePersonIds, lifecycleStatuses } from '../query/lifecycle/get-lifecycle.ts';
import { getPersonsByIds } from '../query/persons/list-persons.ts';
import { getRetentionPersonIds } from '../query/retention/get-retention.ts';
import { getStickinessPersonIds } from '../query/stickiness/get-stickiness.ts';
import { getTrendsPersonIds } from '../query/trends/trends-persons.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { filterFromQueryString, isRefresh, parseFilter, type InsightRunner } from './insight-request.ts';
import { parseInput } from './parse-query.ts';

const routeKinds: Record<string, InsightKind> = { trend: 'TRENDS', funnel: 'FUNNELS', retention: 'RETENTION', path: 'PATHS', stickiness: 'STICKINESS', lifecycle: 'LIFECYCLE' };

const pointSchema = z.object({
  series: z.coerce.number().int().min(0).default(0),
  entity_order: z.coerce.number().int().min(0).optional(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?/, 'day must be a date or date-time of the interval').optional(),
  breakdown_value: z.string().max(2000).optional(),
  funnel_step: z.coerce.number().int().optional(),
  funnel_step_breakdown: z.string().max(2000).optional(),
  selected_interval: z.coerce.number().int().min(0).optional(),
  period_index: z.coerce.number().int().min(0).default(0),
  status: z.enum(lifecycleStatuses).optional(),
  lifecycle_type: z.enum(lifecycleStatuses).optional(),
  intervals: z.coerce.number().int().min(1).optional(),
  stickiness_days: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
type Point = z.infer<typeof pointSchema>;

const bucketKey = (day: string) => (day.length === 10 ? `${day} 00:00:00` : `${day.replace('T', ' ').slice(0, 16)}:${day.slice(17, 19) || '00'}`);
const required = <T>(value: T | undefined, name: string): T => {
  if (value === undefined) throw new ApiError('invalid_input', `${name} is required to pick the data point`, name);
  return value;
};

async function personIdsAt(runner: InsightRunner, projectId: number, filter: InsightFilter, point: Point): Promise<string[]> {
  const context = await runner.context(projectId);
  const series = point.entity_order ?? point.series;
  switch (filter.insight) {
    case 'TRENDS': return getTrendsPersonIds(context, filter, { series, bucket: bucketKey(required(point.day, 'day')), breakdownValue: point.breakdown_value });
    case 'FUNNELS': return getFunnelPersonIds(context, filter, required(point.funnel_step, 'funnel_step'), point.funnel_step_breakdown ?? point.breakdown_value);
    case 'RETENTION': return getRetentionPersonIds(context, filter, required(point.selected_interval, 'selected_interval'), point.period_index);
    case 'STICKINESS': return getStickinessPersonIds(context, filter, series, required(point.intervals ?? point.stickiness_days, 'intervals'));
    case 'LIFECYCLE': return getLifecyclePersonIds(context, filter, required(point.status ?? point.lifecycle_type, 'status'), bucketKey(required(point.day, 'day')));
    case 'PATHS': throw new ApiError('invalid_input', 'paths have no persons per data point yet; filter persons by event instead', 'insight');
  }
}

/**
 * Insights on demand: PostHog's GET/POST /insights/<kind> with the filter in the query string
 * or body, the persons behind a data point, and POST /query with the `{"kind": ...}` shape.
 */
export async function registerInsightsRoutes(app: FastifyInstance, { db, readDb, runner }: { db: Queryable; readDb: Queryable; runner: InsightRunner }): Promise<void> {
  const filterOf = (request: FastifyRequest, kind: InsightKind) =>
    parseFilter(request.method === 'GET' ? filterFromQueryString(request.query as Record<string, unknown>) : request.body, kind);

  for (const [path, kind] of Object.entries(routeKinds)) {
    const handler = async (request: FastifyRequest<{ Params: { projectId: string } }>) => {
      // POST only carries a filter too large for a URL: it reads, so a read-only key may send it.
      const projectId = await authorizeProject(db, request, request.params.projectId, 'read');
      return runner.run(projectId, filterOf(request, kind), { refresh: isRefresh(request) });
    };
    app.get(`/api/projects/:projectId/insights/${path}`, handler);
    app.post(`/api/projects/:projectId/insights/${path}`, handler);

    app.get<{ Params: { projectId: string } }>(`/api/projects/:projectId/insights/${path}/persons`, async (request) => {
      const projectId = await authorizeProject(db, request, request.params.projectId);
      const point = parseInput(pointSchema, request.query);
      const ids = await personIdsAt(runner, projectId, filterOf(request, kind), point);
      const results = await getPersonsByIds(readDb, projectId, ids, point.limit, point.offset);
      return { results, count: ids.length, next: point.offset + point.limit < ids.length ? { offset: point.offset + point.limit } : null };
    });
  }

  app.post<{ Params: { projectId: string }; Body: { query?: unknown; refresh?: boolean } }>('/api/projects/:projectId/query', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId, 'read');
    const body = request.body ?? {};
    const filter = parseFilter(typeof body === 'object' && 'query' in body ? body.query : body);
    const response = await runner.run(projectId, filter, { refresh: isRefresh(request) || body.refresh === true });
    return { ...response, results: response.result };
  });
}
