import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { listEventNames } from '../query/definitions/event-names.ts';
import { listPropertyKeys, listPropertyValues } from '../query/definitions/property-suggestions.ts';
import { authorizeProject } from './authenticate.ts';
import { parseInput } from './parse-query.ts';

const keysQuery = z.object({ type: z.enum(['event', 'person']).default('event') });
const valuesQuery = keysQuery.extend({ key: z.string().min(1).max(400) });

type Params = { projectId: string };

/** What the web app suggests in its pickers: event names, property keys and values from real data. */
export async function registerDefinitionsRoutes(app: FastifyInstance, { readDb, db, clickhouse }: { db: Queryable; readDb: Queryable; clickhouse?: ClickHouseStore }): Promise<void> {
  app.get<{ Params: Params }>('/api/projects/:projectId/event_names', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return { results: await listEventNames(readDb, projectId, clickhouse) };
  });
  app.get<{ Params: Params }>('/api/projects/:projectId/property_keys', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return { results: await listPropertyKeys(readDb, projectId, parseInput(keysQuery, request.query).type, clickhouse) };
  });
  app.get<{ Params: Params }>('/api/projects/:projectId/property_values', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const query = parseInput(valuesQuery, request.query);
    return { results: await listPropertyValues(readDb, projectId, query.type, query.key, clickhouse) };
  });
}
