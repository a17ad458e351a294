import type { FastifyRequest } from 'fastify';
import { authenticatePersonalApiKey } from '../accounts/personal-api-keys.ts';
import type { Queryable } from '../db/pool.ts';
import { ApiError } from './api-error.ts';

/**
 * Checks the bearer key and that it belongs to the project in the URL. A project the key does
 * not belong to answers 404, the same as one that does not exist, so ids cannot be probed.
 */
export async function authorizeProject(db: Queryable, request: FastifyRequest, projectId: string): Promise<number> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new ApiError('not_authenticated');
  const key = await authenticatePersonalApiKey(db, match[1]!);
  if (!key) throw new ApiError('invalid_key');
  if (!/^\d+$/.test(projectId) || Number(projectId) !== key.projectId) throw new ApiError('not_found', 'Project not found');
  return key.projectId;
}
