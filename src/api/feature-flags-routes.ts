import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { createFlag, deleteFlag, DuplicateFlagKeyError, getFlag, listFlags, updateFlag } from '../definitions/feature-flags.ts';
import { flagInputSchema, flagUpdateSchema } from '../flags/flag-definition.ts';
import type { FlagDefinitionsCache } from '../flags/flag-definitions-cache.ts';
import { flagUsage } from '../flags/flag-usage.ts';
import { createInsightContext } from '../query/insight-context.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

type Params = { projectId: string; flagId: string };

const usageQuery = z.object({ date_from: z.string().max(100).optional(), date_to: z.string().max(100).optional() });

async function keyMustBeFree<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DuplicateFlagKeyError) throw new ApiError('invalid_input', `key: ${error.message}`, 'key');
    throw error;
  }
}

/** PostHog's `/api/projects/:id/feature_flags` CRUD, plus each flag's usage. Every change reaches /flags at once on this process. */
export async function registerFeatureFlagsRoutes(app: FastifyInstance, { db, readDb, flagCache, clickhouse }: { db: Queryable; readDb: Queryable; flagCache: FlagDefinitionsCache; clickhouse?: ClickHouseStore }): Promise<void> {
  const base = '/api/projects/:projectId/feature_flags';
  app.get<{ Params: Params }>(base, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return { results: await listFlags(db, projectId) };
  });
  app.post<{ Params: Params }>(base, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const flag = await keyMustBeFree(createFlag(db, projectId, parseInput(flagInputSchema, request.body)));
    flagCache.invalidate(projectId);
    reply.code(201);
    return flag;
  });
  app.get<{ Params: Params }>(`${base}/:flagId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return found(await getFlag(db, projectId, idParam(request.params.flagId, 'Feature flag')), 'Feature flag');
  });
  app.patch<{ Params: Params }>(`${base}/:flagId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const id = idParam(request.params.flagId, 'Feature flag');
    const flag = await keyMustBeFree(updateFlag(db, projectId, id, parseInput(flagUpdateSchema, request.body)));
    flagCache.invalidate(projectId);
    return found(flag, 'Feature flag');
  });
  app.delete<{ Params: Params }>(`${base}/:flagId`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    found(await deleteFlag(db, projectId, idParam(request.params.flagId, 'Feature flag')), 'Feature flag');
    flagCache.invalidate(projectId);
    return reply.code(204).send();
  });
  app.get<{ Params: Params }>(`${base}/:flagId/usage`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const flag = found(await getFlag(db, projectId, idParam(request.params.flagId, 'Feature flag')), 'Feature flag');
    const query = parseInput(usageQuery, request.query);
    return flagUsage(await createInsightContext(readDb, projectId, new Date(), clickhouse), flag.key, { dateFrom: query.date_from, dateTo: query.date_to });
  });
}
