import { runQuery, type Queryable } from '../db/pool.ts';

export interface ProjectView { id: number; name: string; api_token: string; timezone: string; week_start_day: number; anonymize_ips: boolean; created_at: string }

const columns = 'id, name, api_token, timezone, week_start_day, anonymize_ips, created_at';

export async function getProjectView(db: Queryable, projectId: number): Promise<ProjectView | undefined> {
  const { rows } = await runQuery<ProjectView>(db, 'projects.get', `SELECT ${columns} FROM projects WHERE id = $1`, [projectId]);
  return rows[0];
}

export async function isKnownTimeZone(db: Queryable, name: string): Promise<boolean> {
  const { rows } = await runQuery(db, 'projects.time_zone', 'SELECT 1 FROM pg_timezone_names WHERE name = $1', [name]);
  return rows.length > 0;
}

export async function updateProjectSettings(db: Queryable, projectId: number, input: { name?: string; timezone?: string; week_start_day?: number; anonymize_ips?: boolean }): Promise<ProjectView | undefined> {
  const { rows } = await runQuery<ProjectView>(db, 'projects.update',
    `UPDATE projects SET name = coalesce($2, name), timezone = coalesce($3, timezone), week_start_day = coalesce($4, week_start_day),
       anonymize_ips = coalesce($5, anonymize_ips)
     WHERE id = $1 RETURNING ${columns}`, [projectId, input.name ?? null, input.timezone ?? null, input.week_start_day ?? null, input.anonymize_ips ?? null]);
  return rows[0];
}
