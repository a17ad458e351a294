import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authenticatePersonalApiKey, type KeyScope } from '../accounts/personal-api-keys.ts';
import { projectRole } from '../accounts/organizations.ts';
import { findSession, type Session } from '../accounts/sessions.ts';
import type { Role } from '../accounts/users.ts';
import type { Queryable } from '../db/pool.ts';
import { ApiError } from './api-error.ts';

export const sessionCookie = 'sounder_session';
export const csrfHeader = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const sessions = new WeakMap<FastifyRequest, Promise<Session | undefined>>();

/** The logged-in session behind the request's cookie, looked up once per request. */
export function sessionOf(db: Queryable, request: FastifyRequest): Promise<Session | undefined> {
  let session = sessions.get(request);
  if (!session) {
    const token = request.cookies?.[sessionCookie];
    session = token ? findSession(db, token) : Promise.resolve(undefined);
    sessions.set(request, session);
  }
  return session;
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A cookie comes with every request the browser makes, including ones another site triggers,
 * so a request that changes something must also prove it was made by our page: the session's
 * CSRF token, which only our page can read (from /api/auth/state), in a header.
 */
export async function requireUser(db: Queryable, request: FastifyRequest): Promise<Session> {
  const session = await sessionOf(db, request);
  if (!session) throw new ApiError('not_authenticated');
  if (!safeMethods.has(request.method)) {
    const sent = request.headers[csrfHeader];
    if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) throw new ApiError('csrf_failed');
  }
  return session;
}

export interface ProjectAccess { projectId: number; userId?: number; role?: Role }

/**
 * Checks the caller (a bearer personal API key, or a logged-in member of the project's
 * organisation) may reach the project in the URL. A project the caller cannot reach answers 404,
 * the same as one that does not exist, so ids cannot be probed. `access` defaults to what the
 * HTTP method implies; a read-only key may not write.
 */
export async function authorizeProjectAccess(db: Queryable, request: FastifyRequest, projectIdParam: string, access: KeyScope = safeMethods.has(request.method) ? 'read' : 'write'): Promise<ProjectAccess> {
  const projectId = /^\d{1,9}$/.test(projectIdParam) ? Number(projectIdParam) : undefined;
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError('not_authenticated');
    const key = await authenticatePersonalApiKey(db, match[1]!);
    if (!key) throw new ApiError('invalid_key');
    if (projectId !== key.projectId) throw new ApiError('not_found', 'Project not found');
    if (!key.scopes.includes(access)) throw new ApiError('permission_denied', `This personal API key has scopes ${key.scopes.join(', ')}; this request needs ${access}`);
    return { projectId };
  }
  const session = await requireUser(db, request);
  const role = projectId === undefined ? undefined : await projectRole(db, projectId, session.userId);
  if (!role || projectId === undefined) throw new ApiError('not_found', 'Project not found');
  return { projectId, userId: session.userId, role };
}

export async function authorizeProject(db: Queryable, request: FastifyRequest, projectIdParam: string, access?: KeyScope): Promise<number> {
  return (await authorizeProjectAccess(db, request, projectIdParam, access)).projectId;
}
