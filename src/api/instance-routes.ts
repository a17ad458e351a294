import type { FastifyInstance } from 'fastify';
import { isInstanceAdmin } from '../accounts/organizations.ts';
import type { Queryable } from '../db/pool.ts';
import { readPartitionStatus } from '../partition/partition-status.ts';
import { ApiError } from './api-error.ts';
import { requireUser } from './authenticate.ts';

/**
 * Facts about the whole install rather than one project. The events table is shared by every
 * project, so its sizes say something about all of them: only the install's admins see them,
 * and to anyone else the route does not exist.
 */
export async function registerInstanceRoutes(app: FastifyInstance, { db }: { db: Queryable }): Promise<void> {
  app.get('/api/instance/partitions', async (request) => {
    const session = await requireUser(db, request);
    if (!await isInstanceAdmin(db, session.userId)) throw new ApiError('not_found', 'Not found');
    // Planner estimates: counting every partition on each page view would scan the whole table.
    return readPartitionStatus(db, false);
  });
}
