import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { computeCohort } from '../cohorts/compute-cohort.ts';
import { cohortFiltersSchema } from '../cohorts/cohort-definition.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { cohortPersonIds, createCohort, deleteCohort, getCohort, listCohorts, updateCohort } from '../definitions/cohorts.ts';
import { getPersonsByIds } from '../query/persons/list-persons.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

const cohortInput = z.object({
  name: z.string().min(1).max(400),
  description: z.string().max(10_000).optional(),
  is_static: z.boolean().optional(),
  filters: cohortFiltersSchema.optional(),
  /** A static cohort's members: a list, or CSV text with one distinct id per line (a `distinct_id` header is skipped). */
  distinct_ids: z.array(z.string().min(1).max(400)).max(1_000_000).optional(),
  csv: z.string().max(50_000_000).optional(),
});
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });

function distinctIdsOf(input: z.infer<typeof cohortInput> | Partial<z.infer<typeof cohortInput>>): string[] | undefined {
  if (input.distinct_ids) return input.distinct_ids;
  if (input.csv === undefined) return undefined;
  const lines = input.csv.split(/\r?\n/).map((line) => line.split(',')[0]!.trim().replace(/^"(.*)"$/, '$1')).filter(Boolean);
  return lines[0]?.toLowerCase() === 'distinct_id' ? lines.slice(1) : lines;
}

type Params = { projectId: string; cohortId: string };

export async function registerCohortsRoutes(app: FastifyInstance, { db, pool, clickhouse }: { db: Queryable; pool: Pool; clickhouse?: ClickHouseStore }): Promise<void> {
  const base = '/api/projects/:projectId/cohorts';
  const recompute = async (id: number) => {
    const client = await pool.connect();
    try {
      await computeCohort(client, id, new Date(), clickhouse);
    } finally {
      client.release();
    }
  };
  app.get<{ Params: Params }>(base, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return { results: await listCohorts(db, projectId) };
  });
  app.post<{ Params: Params }>(base, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const input = parseInput(cohortInput, request.body);
    const distinctIds = distinctIdsOf(input);
    if (input.is_static || distinctIds) {
      if (!distinctIds) throw new ApiError('invalid_input', 'a static cohort needs distinct_ids or csv', 'distinct_ids');
    } else if (!input.filters) throw new ApiError('invalid_input', 'a dynamic cohort needs filters', 'filters');
    const id = await createCohort(pool, projectId, { name: input.name, description: input.description, filters: input.filters, distinctIds });
    await recompute(id);
    reply.code(201);
    return getCohort(db, projectId, id);
  });
  app.get<{ Params: Params }>(`${base}/:cohortId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return found(await getCohort(db, projectId, idParam(request.params.cohortId, 'Cohort')), 'Cohort');
  });
  app.patch<{ Params: Params }>(`${base}/:cohortId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const id = idParam(request.params.cohortId, 'Cohort');
    const input = parseInput(cohortInput.partial(), request.body);
    found(await updateCohort(pool, projectId, id, { ...input, distinctIds: distinctIdsOf(input) }), 'Cohort');
    await recompute(id);
    return getCohort(db, projectId, id);
  });
  app.delete<{ Params: Params }>(`${base}/:cohortId`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    found(await deleteCohort(db, projectId, idParam(request.params.cohortId, 'Cohort')), 'Cohort');
    return reply.code(204).send();
  });
  app.get<{ Params: Params }>(`${base}/:cohortId/persons`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const id = idParam(request.params.cohortId, 'Cohort');
    found(await getCohort(db, projectId, id), 'Cohort');
    const page = parseInput(pageQuery, request.query);
    const ids = await cohortPersonIds(db, projectId, id);
    return { results: await getPersonsByIds(db, projectId, ids, page.limit, page.offset), count: ids.length };
  });
}
