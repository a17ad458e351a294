import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { addTile, createDashboard, deleteDashboard, getDashboard, getSharedDashboard, listDashboards, listTiles, removeTile, setDashboardSharing, updateDashboard, type DashboardRecord } from '../definitions/dashboards.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { isRefresh, parseFilter, type InsightRunner } from './insight-request.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

const dashboardInput = z.object({
  name: z.string().min(1).max(400),
  description: z.string().max(10_000).optional(),
  /** Tiles never show results older than this (the server's cache limit still applies). */
  refresh_seconds: z.number().int().min(10).max(86_400).nullable().optional(),
});
const tileInput = z.object({ insight_id: z.number().int().min(1), layout: z.record(z.string(), z.unknown()).default({}) });

const sharingInput = z.object({ enabled: z.boolean() });

type Params = { projectId: string; dashboardId: string; tileId: string };

/** The dashboard with every tile's insight and result; tiles run one after another to spare a small database. */
async function withTileResults(db: Queryable, runner: InsightRunner, dashboard: DashboardRecord, refresh: boolean) {
  const tiles = [];
  for (const { insight, ...tile } of await listTiles(db, dashboard.id)) {
    const run = await runner.run(dashboard.project_id, parseFilter(insight.filters), { refresh, maxAgeSeconds: dashboard.refresh_seconds ?? undefined });
    tiles.push({ ...tile, insight: { ...insight, result: run.result, last_refresh: run.last_refresh, is_cached: run.is_cached } });
  }
  return { ...dashboard, tiles };
}

export async function registerDashboardsRoutes(app: FastifyInstance, { db, runner }: { db: Queryable; runner: InsightRunner }): Promise<void> {
  const base = '/api/projects/:projectId/dashboards';
  app.get<{ Params: Params }>(base, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return { results: await listDashboards(db, projectId) };
  });
  app.post<{ Params: Params }>(base, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    reply.code(201);
    return createDashboard(db, projectId, parseInput(dashboardInput, request.body));
  });
  app.get<{ Params: Params }>(`${base}/:dashboardId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const dashboard = found(await getDashboard(db, projectId, idParam(request.params.dashboardId, 'Dashboard')), 'Dashboard');
    return withTileResults(db, runner, dashboard, isRefresh(request));
  });
  app.post<{ Params: Params }>(`${base}/:dashboardId/sharing`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const input = parseInput(sharingInput, request.body);
    return found(await setDashboardSharing(db, projectId, idParam(request.params.dashboardId, 'Dashboard'), input.enabled), 'Dashboard');
  });
  /** A shared dashboard, read-only and without an account; the token is the only key, so it shows nothing else. */
  app.get<{ Params: { token: string } }>('/api/shared/dashboards/:token', async (request) => {
    const dashboard = await getSharedDashboard(db, request.params.token);
    if (!dashboard) throw new ApiError('not_found', 'This share link is unknown or was revoked');
    const { share_token: _token, project_id: _project, ...shown } = await withTileResults(db, runner, dashboard, false);
    return shown;
  });
  app.patch<{ Params: Params }>(`${base}/:dashboardId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return found(await updateDashboard(db, projectId, idParam(request.params.dashboardId, 'Dashboard'), parseInput(dashboardInput.partial(), request.body)), 'Dashboard');
  });
  app.delete<{ Params: Params }>(`${base}/:dashboardId`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    found(await deleteDashboard(db, projectId, idParam(request.params.dashboardId, 'Dashboard')), 'Dashboard');
    return reply.code(204).send();
  });
  app.post<{ Params: Params }>(`${base}/:dashboardId/tiles`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const input = parseInput(tileInput, request.body);
    const tile = found(await addTile(db, projectId, idParam(request.params.dashboardId, 'Dashboard'), input.insight_id, input.layout), 'Dashboard or insight');
    reply.code(201);
    return tile;
  });
  app.delete<{ Params: Params }>(`${base}/:dashboardId/tiles/:tileId`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    found(await removeTile(db, projectId, idParam(request.params.dashboardId, 'Dashboard'), idParam(request.params.tileId, 'Tile')), 'Tile');
    return reply.code(204).send();
  });
}
