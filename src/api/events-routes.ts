import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { propertyFiltersSchema } from '../query/filters/property-filter.ts';
import { getEvent, listEvents } from '../query/events/list-events.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { decodeCursor, paginate } from './pagination.ts';
import { parseInput, parseJsonParam } from './parse-query.ts';

const uuid = z.string().uuid();
const listQuery = z.object({
  event: z.string().min(1).optional(),
  distinct_id: z.string().min(1).optional(),
  person_id: uuid.optional(),
  properties: z.string().optional(),
  after: z.coerce.date().optional(),
  before: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().optional(),
});

const isEventCursor = (value: unknown): value is { timestamp: string; uuid: string } =>
  typeof value === 'object' && value !== null && typeof (value as { timestamp?: unknown }).timestamp === 'string'
  && uuid.safeParse((value as { uuid?: unknown }).uuid).success && !Number.isNaN(Date.parse((value as { timestamp: string }).timestamp));

export async function registerEventsRoutes(app: FastifyInstance, { db, readDb, clickhouse }: { db: Queryable; readDb: Queryable; clickhouse?: ClickHouseStore }): Promise<void> {
  app.get<{ Params: { projectId: string } }>('/api/projects/:projectId/events', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const query = parseInput(listQuery, request.query);
    const properties = parseInput(propertyFiltersSchema, parseJsonParam(query.properties, 'properties') ?? []);
    const rows = await listEvents(readDb, {
      projectId,
      event: query.event,
      distinctId: query.distinct_id,
      personId: query.person_id,
      properties,
      after: query.after,
      before: query.before,
      cursor: decodeCursor(query.cursor, isEventCursor),
      limit: query.limit,
    }, clickhouse);
    return paginate(request, rows, query.limit, (last) => ({ timestamp: last.timestamp, uuid: last.uuid }));
  });

  app.get<{ Params: { projectId: string; uuid: string } }>('/api/projects/:projectId/events/:uuid', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    if (!uuid.safeParse(request.params.uuid).success) throw new ApiError('not_found', 'Event not found');
    const event = await getEvent(readDb, projectId, request.params.uuid, clickhouse);
    if (!event) throw new ApiError('not_found', 'Event not found');
    return event;
  });
}
