import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { createAction, deleteAction, getAction, listActions, updateAction } from '../definitions/actions.ts';
import { actionStepsSchema } from '../query/filters/action-condition.ts';
import { authorizeProject } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

const actionInput = z.object({ name: z.string().min(1).max(400), description: z.string().max(10_000).optional(), steps: actionStepsSchema });

type Params = { projectId: string; actionId: string };

export async function registerActionsRoutes(app: FastifyInstance, { db }: { db: Queryable }): Promise<void> {
  const base = '/api/projects/:projectId/actions';
  app.get<{ Params: Params }>(base, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return { results: await listActions(db, projectId) };
  });
  app.post<{ Params: Params }>(base, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    reply.code(201);
    return createAction(db, projectId, parseInput(actionInput, request.body));
  });
  app.get<{ Params: Params }>(`${base}/:actionId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return found(await getAction(db, projectId, idParam(request.params.actionId, 'Action')), 'Action');
  });
  app.patch<{ Params: Params }>(`${base}/:actionId`, async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const id = idParam(request.params.actionId, 'Action');
    return found(await updateAction(db, projectId, id, parseInput(actionInput.partial(), request.body)), 'Action');
  });
  app.delete<{ Params: Params }>(`${base}/:actionId`, async (request, reply) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    found(await deleteAction(db, projectId, idParam(request.params.actionId, 'Action')), 'Action');
    return reply.code(204).send();
  });
}
