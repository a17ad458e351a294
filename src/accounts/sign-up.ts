import { inTransaction, runQuery, type Pool } from '../db/pool.ts';
import { hashPassword } from './passwords.ts';
import { createProject } from './projects.ts';
import { addMember, adoptOrphanProjects, createOrganization } from './organizations.ts';
import { insertUser, type User } from './users.ts';

export class AlreadySetUpError extends Error {
  constructor() { super('Sounder already has an admin: log in, or ask an admin for an invite'); }
}

export interface FirstAdminInput { email: string; password: string; name: string; organizationName: string }

/**
 * The first visitor becomes the admin of a new organisation, which takes over the projects made
 * before any account existed. Serialised by a transaction lock so two first visitors at once
 * cannot both become admins.
 */
export async function signUpFirstAdmin(pool: Pool, input: FirstAdminInput): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(pool, async (client) => {
    await runQuery(client, 'signup.lock', "SELECT pg_advisory_xact_lock(hashtext('sounder.first_admin'))");
    const { rows } = await runQuery(client, 'signup.any_user', 'SELECT 1 FROM users LIMIT 1');
    if (rows.length > 0) throw new AlreadySetUpError();
    const user = await insertUser(client, { email: input.email, name: input.name, passwordHash });
    const organizationId = await createOrganization(client, input.organizationName);
    await addMember(client, organizationId, user.id, 'admin');
    await adoptOrphanProjects(client, organizationId);
    const { rows: projects } = await runQuery(client, 'signup.projects', 'SELECT 1 FROM projects WHERE organization_id = $1 LIMIT 1', [organizationId]);
    if (projects.length === 0) await createProject(client, 'Default project', organizationId);
    return user;
  });
}
