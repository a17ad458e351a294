import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { getPerson, listPersons } from '../query/persons/list-persons.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { decodeCursor, paginate } from './pagination.ts';
import { parseInput } from './parse-query.ts';

const uuid = z.string().uuid();
const listQuery = z.object({
  search: z.string().min(1).max(400).optional(),
  distinct_id: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().optional(),
});

const isPersonCursor = (value: unknown): value is { created_at: string; uuid: string } =>
  typeof value === 'object' && value !== null && typeof (value as { created_at?: unknown }).created_at === 'string'
  && uuid.safeParse((value as { uuid?: unknown }).uuid).success && !Number.isNaN(Date.parse((value as { created_at: string }).created_at));

export async function registerPersonsRoutes(app: FastifyInstance, { db, readDb }: { db: Queryable; readDb: Queryable }): Promise<void> {
  app.get<{ Params: { projectId: string } }>('/api/projects/:projectId/persons', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const query = parseInput(listQuery, request.query);
    const rows = await listPersons(readDb, {
      projectId,
      search: query.search,
      distinctId: query.distinct_id,
      cursor: decodeCursor(query.cursor, isPersonCursor),
      limit: query.limit,
    });
    return paginate(request, rows, query.limit, (last) => ({ created_at: last.created_at, uuid: last.uuid }));
  });

  app.get<{ Params: { projectId: string; uuid: string } }>('/api/projects/:projectId/persons/:uuid', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    if (!uuid.safeParse(request.params.uuid).success) throw new ApiError('not_found', 'Person not found');
    const person = await getPerson(readDb, projectId, request.params.uuid);
    if (!person) throw new ApiError('not_found', 'Person not found');
    return person;
  });
}
