import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { acceptInvite, findOpenInvite, InviteForOtherUserError, InvitePasswordMissingError } from '../accounts/invites.ts';
import type { LoginLimiter } from '../accounts/login-limiter.ts';
import { isInstanceAdmin, listUserOrganizations } from '../accounts/organizations.ts';
import { minPasswordLength, verifyPassword } from '../accounts/passwords.ts';
import { createSession, deleteSession } from '../accounts/sessions.ts';
import { AlreadySetUpError, signUpFirstAdmin } from '../accounts/sign-up.ts';
import { countUsers, findUserForLogin, getUser, recordLogin } from '../accounts/users.ts';
import type { Pool } from '../db/pool.ts';
import { ApiError } from './api-error.ts';
import { requireUser, sessionCookie, sessionOf } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';

const email = z.email().max(254);
const password = z.string().min(minPasswordLength, `must be at least ${minPasswordLength} characters`).max(1000);
const signUpInput = z.object({
  email,
  password,
  name: z.string().max(200).default(''),
  organization_name: z.string().min(1).max(200).default('My organization'),
});
const loginInput = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1000) });
const acceptInput = z.object({ name: z.string().max(200).default(''), password: password.optional() });

interface AuthDeps { db: Pool; loginLimiter: LoginLimiter }

/** Accounts: the first admin's sign-up, log in and out, invites, and what the web app needs to start. */
export async function registerAuthRoutes(app: FastifyInstance, { db, loginLimiter }: AuthDeps): Promise<void> {
  const startSession = async (request: FastifyRequest, reply: FastifyReply, userId: number) => {
    const session = await createSession(db, userId);
    setSessionCookie(request, reply, session.token);
    return session.csrfToken;
  };

  app.get('/api/auth/state', async (request) => {
    const session = await sessionOf(db, request);
    const user = session && await getUser(db, session.userId);
    return {
      setup_required: !user && await countUsers(db) === 0,
      user: user ?? null,
      csrf_token: user ? session.csrfToken : null,
      organizations: user ? await listUserOrganizations(db, user.id) : [],
      instance_admin: user ? await isInstanceAdmin(db, user.id) : false,
    };
  });

  app.post('/api/auth/signup', async (request, reply) => {
    const input = parseInput(signUpInput, request.body);
    try {
      const user = await signUpFirstAdmin(db, { email: input.email, password: input.password, name: input.name, organizationName: input.organization_name });
      reply.code(201);
      return { user, csrf_token: await startSession(request, reply, user.id) };
    } catch (error) {
      if (error instanceof AlreadySetUpError) throw new ApiError('permission_denied', error.message);
      throw error;
    }
  });

  app.post('/api/auth/login', async (request, reply) => {
    const input = parseInput(loginInput, request.body);
    const wait = await loginLimiter.retryAfterSeconds(input.email);
    if (wait > 0) {
      const error = new ApiError('rate_limited', `Too many failed logins for this email; retry in ${wait} s`);
      error.retryAfterSeconds = wait;
      throw error;
    }
    const user = await findUserForLogin(db, input.email);
    if (!await verifyPassword(user?.password_hash, input.password) || !user) {
      await loginLimiter.recordFailure(input.email);
      throw new ApiError('invalid_credentials');
    }
    await loginLimiter.recordSuccess(input.email);
    await recordLogin(db, user.id);
    return { user: { id: user.id, email: user.email, name: user.name, created_at: user.created_at }, csrf_token: await startSession(request, reply, user.id) };
  });

  app.post('/api/auth/logout', async (request, reply) => {
    await requireUser(db, request);
    await deleteSession(db, request.cookies[sessionCookie]!);
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.get<{ Params: { token: string } }>('/api/invites/:token', async (request) => {
    const invite = await findOpenInvite(db, request.params.token);
    if (!invite) throw new ApiError('not_found', 'This invite is unknown, used or expired');
    return { organization_name: invite.organizationName, email: invite.email, role: invite.role, user_exists: invite.userExists };
  });

  app.post<{ Params: { token: string } }>('/api/invites/:token/accept', async (request, reply) => {
    const input = parseInput(acceptInput, request.body ?? {});
    const session = await sessionOf(db, request);
    if (session) await requireUser(db, request);
    try {
      const user = await acceptInvite(db, request.params.token, { name: input.name, password: input.password, loggedInUserId: session?.userId });
      if (!user) throw new ApiError('not_found', 'This invite is unknown, used or expired');
      return { user, csrf_token: session?.userId === user.id ? session.csrfToken : await startSession(request, reply, user.id) };
    } catch (error) {
      if (error instanceof InviteForOtherUserError) throw new ApiError('permission_denied', error.message);
      if (error instanceof InvitePasswordMissingError) throw new ApiError('invalid_input', error.message, 'password');
      throw error;
    }
  });
}
