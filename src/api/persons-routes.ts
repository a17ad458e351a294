import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Pool, Queryable } from '../db/pool.ts';
import { deletePerson } from '../privacy/delete-person.ts';
import { exportPerson } from '../privacy/export-person.ts';
import { getPerson, listPersons } from '../query/persons/list-persons.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { decodeCursor, paginate } from './pagination.ts';
import { parseInput } from './parse-query.ts';
import { found } from './route-ids.ts';

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

const deleteQuery = z.object({ delete_events: z.enum(['true', 'false', '1', '0']).default('false').transform((value) => value === 'true' || value === '1') });

export async function registerPersonsRoutes(app: FastifyInstance, { db, readDb, clickhouse }: { db: Pool; readDb: Queryable; clickhouse?: ClickHouseStore }): Promise<void> {
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

  /** PostHog's person delete: the person and their ids; their events too with `delete_events=true`. */
  app.delete<{ Params: { projectId: string; uuid: string } }>('/api/projects/:projectId/persons/:uuid', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const { delete_events } = parseInput(deleteQuery, request.query);
    if (!uuid.safeParse(request.params.uuid).success) throw new ApiError('not_found', 'Person not found');
    return found(await deletePerson(db, projectId, { uuid: request.params.uuid }, { keepEvents: !delete_events, clickhouse }), 'Person');
  });

  app.get<{ Params: { projectId: string; uuid: string } }>('/api/projects/:projectId/persons/:uuid/export', async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    if (!uuid.safeParse(request.params.uuid).success) throw new ApiError('not_found', 'Person not found');
    const data = found(await exportPerson(db, projectId, { uuid: request.params.uuid }, clickhouse), 'Person');
    reply.header('Content-Disposition', `attachment; filename="person-${data.person.uuid}.json"`);
    return data;
  });
}
