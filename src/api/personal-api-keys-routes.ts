import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createPersonalApiKey, listPersonalApiKeys, revokePersonalApiKey } from '../accounts/personal-api-keys.ts';
import type { Queryable } from '../db/pool.ts';
import { ApiError } from './api-error.ts';
import { authorizeProjectAccess } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

const keyInput = z.object({
  label: z.string().max(200).default(''),
  scopes: z.array(z.enum(['read', 'write'])).min(1).default(['read', 'write']),
});

type Params = { projectId: string };

/** Keys are managed by people logged in to the web app: a key cannot mint or revoke keys. */
async function authorizeKeyManager(db: Queryable, request: FastifyRequest<{ Params: Params }>): Promise<{ projectId: number; userId: number }> {
  const access = await authorizeProjectAccess(db, request, request.params.projectId);
  if (access.userId === undefined) throw new ApiError('permission_denied', 'Personal API keys are managed from the web app, logged in');
  return { projectId: access.projectId, userId: access.userId };
}

export async function registerPersonalApiKeysRoutes(app: FastifyInstance, { db }: { db: Queryable }): Promise<void> {
  const base = '/api/projects/:projectId/personal_api_keys';

  app.get<{ Params: Params }>(base, async (request) => {
    const { projectId } = await authorizeKeyManager(db, request);
    return { results: await listPersonalApiKeys(db, projectId) };
  });

  app.post<{ Params: Params }>(base, async (request, reply) => {
    const { projectId, userId } = await authorizeKeyManager(db, request);
    const input = parseInput(keyInput, request.body ?? {});
    const created = await createPersonalApiKey(db, projectId, input.label, { userId, scopes: [...new Set(input.scopes)] });
    reply.code(201);
    return { id: created.id, key: created.key, label: input.label, scopes: created.scopes };
  });

  app.delete<{ Params: Params & { keyId: string } }>(`${base}/:keyId`, async (request, reply) => {
    const { projectId } = await authorizeKeyManager(db, request);
    found(await revokePersonalApiKey(db, projectId, idParam(request.params.keyId, 'Key')), 'Key');
    return reply.code(204).send();
  });
}
