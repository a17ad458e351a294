import type { FastifyInstance } from 'fastify';
import type { BacklogGuard } from '../capture/backlog-guard.ts';
import type { Queryable } from '../db/pool.ts';
import { readBufferBacklog } from '../ingestion/buffer-backlog.ts';

/** /_health/live: the process answers. /_health: ready — database reachable, with the backlog. */
export async function registerHealthRoutes(app: FastifyInstance, db: Queryable, backlog?: BacklogGuard): Promise<void> {
  app.get('/_health/live', async () => ({ status: 'ok' }));
  app.get('/_health', async (_request, reply) => {
    try {
      const buffer = await readBufferBacklog(db);
      return { status: 'ok', live: true, ready: true, database: 'ok', buffer, capture: backlog?.refusal ? `refusing: ${backlog.refusal}` : 'accepting' };
    } catch (error) {
      reply.code(503);
      return { status: 'unavailable', live: true, ready: false, database: 'unreachable', detail: (error as Error).message };
    }
  });
}
