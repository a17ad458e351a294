import { runQuery, type Queryable } from '../db/pool.ts';
import type { Role } from './users.ts';

export interface OrganizationView {
  id: number;
  name: string;
  role: Role;
  projects: { id: number; name: string }[];
}

export async function createOrganization(db: Queryable, name: string): Promise<number> {
  const { rows } = await runQuery<{ id: number }>(db, 'organizations.create', 'INSERT INTO organizations (name) VALUES ($1) RETURNING id', [name]);
  return rows[0]!.id;
}

export async function addMember(db: Queryable, organizationId: number, userId: number, role: Role): Promise<void> {
  await runQuery(db, 'organizations.add_member',
    `INSERT INTO organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (organization_id, user_id) DO NOTHING`, [organizationId, userId, role]);
}

/** Projects made before any account existed (by `sounder start` or the CLI) go to the first organisation. */
export async function adoptOrphanProjects(db: Queryable, organizationId: number): Promise<void> {
  await runQuery(db, 'organizations.adopt', 'UPDATE projects SET organization_id = $1 WHERE organization_id IS NULL', [organizationId]);
}

export async function listUserOrganizations(db: Queryable, userId: number): Promise<OrganizationView[]> {
  const { rows } = await runQuery<OrganizationView>(db, 'organizations.of_user',
    `SELECT o.id, o.name, m.role,
            coalesce((SELECT json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY p.id)
                      FROM projects p WHERE p.organization_id = o.id), '[]') AS projects
     FROM organization_members m JOIN organizations o ON o.id = m.organization_id
     WHERE m.user_id = $1 ORDER BY o.id`, [userId]);
  return rows;
}

export async function memberRole(db: Queryable, organizationId: number, userId: number): Promise<Role | undefined> {
  const { rows } = await runQuery<{ role: Role }>(db, 'organizations.role',
    'SELECT role FROM organization_members WHERE organization_id = $1 AND user_id = $2', [organizationId, userId]);
  return rows[0]?.role;
}

/**
 * Whether the user administers the whole install: an admin of the first organisation, the one
 * made at set-up. Install-wide facts (the events table's partitions, their sizes) are theirs only.
 */
export async function isInstanceAdmin(db: Queryable, userId: number): Promise<boolean> {
  const { rows } = await runQuery(db, 'organizations.instance_admin',
    `SELECT 1 FROM organization_members WHERE user_id = $1 AND role = 'admin'
       AND organization_id = (SELECT min(id) FROM organizations)`, [userId]);
  return rows.length > 0;
}

/** The user's role in the organisation that owns the project, or undefined when they are not in it. */
export async function projectRole(db: Queryable, projectId: number, userId: number): Promise<Role | undefined> {
  const { rows } = await runQuery<{ role: Role }>(db, 'organizations.project_role',
    `SELECT m.role FROM projects p JOIN organization_members m ON m.organization_id = p.organization_id
     WHERE p.id = $1 AND m.user_id = $2`, [projectId, userId]);
  return rows[0]?.role;
}

export interface MemberView { user_id: number; email: string; name: string; role: Role; joined_at: string }

export async function listMembers(db: Queryable, organizationId: number): Promise<MemberView[]> {
  const { rows } = await runQuery<MemberView>(db, 'organizations.members',
    `SELECT u.id AS user_id, u.email, u.name, m.role, m.joined_at
     FROM organization_members m JOIN users u ON u.id = m.user_id
     WHERE m.organization_id = $1 ORDER BY m.joined_at, u.id`, [organizationId]);
  return rows;
}

export async function removeMember(db: Queryable, organizationId: number, userId: number): Promise<boolean> {
  const { rowCount } = await runQuery(db, 'organizations.remove_member',
    'DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2', [organizationId, userId]);
  // Their sessions stay valid for other organisations; access to this one ends with the row.
  return (rowCount ?? 0) > 0;
}
