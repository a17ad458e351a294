import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createInvite, listInvites, revokeInvite } from '../accounts/invites.ts';
import { listMembers, memberRole, removeMember } from '../accounts/organizations.ts';
import { createProject } from '../accounts/projects.ts';
import type { Role } from '../accounts/users.ts';
import type { Queryable } from '../db/pool.ts';
import { ApiError } from './api-error.ts';
import { requireUser } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { found, idParam } from './route-ids.ts';

const inviteInput = z.object({ email: z.email().max(254), role: z.enum(['admin', 'member']).default('member') });
const projectInput = z.object({ name: z.string().min(1).max(200) });

type Params = { organizationId: string };

/** Members see their organisation; only admins invite, remove members and add projects. */
async function authorizeOrganization(db: Queryable, request: FastifyRequest<{ Params: Params }>, needs: Role): Promise<{ organizationId: number; userId: number }> {
  const session = await requireUser(db, request);
  const organizationId = idParam(request.params.organizationId, 'Organization');
  const role = await memberRole(db, organizationId, session.userId);
  if (!role) throw new ApiError('not_found', 'Organization not found');
  if (needs === 'admin' && role !== 'admin') throw new ApiError('permission_denied', 'Only an admin of this organization can do this');
  return { organizationId, userId: session.userId };
}

export async function registerOrganizationRoutes(app: FastifyInstance, { db }: { db: Queryable }): Promise<void> {
  const base = '/api/organizations/:organizationId';

  app.get<{ Params: Params }>(`${base}/members`, async (request) => {
    const { organizationId } = await authorizeOrganization(db, request, 'member');
    return { results: await listMembers(db, organizationId) };
  });

  app.delete<{ Params: Params & { userId: string } }>(`${base}/members/:userId`, async (request, reply) => {
    const { organizationId, userId } = await authorizeOrganization(db, request, 'admin');
    const target = idParam(request.params.userId, 'Member');
    if (target === userId) throw new ApiError('invalid_input', 'You cannot remove yourself; ask another admin', 'userId');
    found(await removeMember(db, organizationId, target), 'Member');
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>(`${base}/invites`, async (request) => {
    const { organizationId } = await authorizeOrganization(db, request, 'admin');
    return { results: await listInvites(db, organizationId) };
  });

  app.post<{ Params: Params }>(`${base}/invites`, async (request, reply) => {
    const { organizationId, userId } = await authorizeOrganization(db, request, 'admin');
    const input = parseInput(inviteInput, request.body);
    const invite = await createInvite(db, organizationId, { email: input.email, role: input.role, invitedBy: userId });
    reply.code(201);
    return { id: invite.id, email: input.email, role: input.role, token: invite.token, path: `/invite/${invite.token}` };
  });

  app.delete<{ Params: Params & { inviteId: string } }>(`${base}/invites/:inviteId`, async (request, reply) => {
    const { organizationId } = await authorizeOrganization(db, request, 'admin');
    found(await revokeInvite(db, organizationId, idParam(request.params.inviteId, 'Invite')), 'Invite');
    return reply.code(204).send();
  });

  app.post<{ Params: Params }>(`${base}/projects`, async (request, reply) => {
    const { organizationId } = await authorizeOrganization(db, request, 'admin');
    const input = parseInput(projectInput, request.body);
    const project = await createProject(db, input.name, organizationId);
    reply.code(201);
    return project;
  });
}
