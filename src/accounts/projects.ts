import { randomBytes } from 'node:crypto';
import { runQuery, type Queryable } from '../db/pool.ts';

export interface Project { id: number; name: string; api_token: string; created_at: Date }

function newProjectToken(): string {
  return `phc_${randomBytes(24).toString('base64url')}`;
}

export async function createProject(db: Queryable, name: string, organizationId: number | null = null): Promise<Project> {
  const { rows } = await runQuery<Project>(db, 'projects.create',
    'INSERT INTO projects (name, api_token, organization_id) VALUES ($1, $2, $3) RETURNING id, name, api_token, created_at',
    [name, newProjectToken(), organizationId]);
  return rows[0]!;
}

export async function listProjects(db: Queryable): Promise<Project[]> {
  const { rows } = await runQuery<Project>(db, 'projects.list', 'SELECT id, name, api_token, created_at FROM projects ORDER BY id');
  return rows;
}

/** What capture needs to know of the project behind a token. */
export interface CaptureProject { id: number; anonymizeIps: boolean }

export async function findProjectByToken(db: Queryable, token: string): Promise<CaptureProject | undefined> {
  const { rows } = await runQuery<{ id: number; anonymize_ips: boolean }>(db, 'projects.by_token', 'SELECT id, anonymize_ips FROM projects WHERE api_token = $1', [token]);
  const row = rows[0];
  return row && { id: row.id, anonymizeIps: row.anonymize_ips };
}
