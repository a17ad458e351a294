import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { createSavedInsight, deleteSavedInsight, getSavedInsight, listSavedInsights, updateSavedInsight, type SavedInsight } from '../definitions/saved-insights.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { isRefresh, parseFilter, type InsightRunner } from './insight-request.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

const insightInput = z.object({
  name: z.string().max(400).default(''),
  description: z.string().max(10_000).optional(),
  filters: z.record(z.string(), z.unknown()).optional(),
  query: z.record(z.string(), z.unknown()).optional(),
});
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });

type Params = { projectId: string; insightId: string };

/** Saved insights: the filter is validated when saved and stored in the filter shape, so it runs the same later. */
export async function registerSavedInsightsRoutes(app: FastifyInstance, { db, runner }: { db: Queryable; runner: InsightRunner }): Promise<void> {
  const base = '/api/projects/:projectId/insights';
  const withResult = async (projectId: number, insight: SavedInsight, refresh: boolean) => {
    const run = await runner.run(projectId, parseFilter(insight.filters), { refresh });
    return { ...insight, result: run.result, last_refresh: run.last_refresh, is_cached: run.is_cached };
  };
  const filtersOf = (input: { filters?: object; query?: object }) => {
    const raw = input.query ?? input.filters;
    return raw ? parseFilter(raw) : undefined;
  };
  app.get<{ Params: Params }>(base, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const page = parseInput(pageQuery, request.query);
    return { results: await listSavedInsights(db, projectId, page.limit, page.offset) };
  });
  app.post<{ Params: Params }>(base, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const input = parseInput(insightInput, request.body);
    const filters = filtersOf(input);
    if (!filters) throw new ApiError('invalid_input', 'an insight needs filters or query', 'filters');
    reply.code(201);
    return createSavedInsight(db, projectId, { name: input.name, description: input.description, filters });
  });
  app.get<{ Params: Params }>(`${base}/:insightId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const insight = found(await getSavedInsight(db, projectId, idParam(request.params.insightId, 'Insight')), 'Insight');
    return withResult(projectId, insight, isRefresh(request));
  });
  app.patch<{ Params: Params }>(`${base}/:insightId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const input = parseInput(insightInput.partial(), request.body);
    return found(await updateSavedInsight(db, projectId, idParam(request.params.insightId, 'Insight'), { ...input, filters: filtersOf(input) }), 'Insight');
  });
  app.delete<{ Params: Params }>(`${base}/:insightId`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    found(await deleteSavedInsight(db, projectId, idParam(request.params.insightId, 'Insight')), 'Insight');
    return reply.code(204).send();
  });
}
