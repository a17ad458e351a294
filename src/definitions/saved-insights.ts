import { randomBytes } from 'node:crypto';
import { runQuery, type Queryable } from '../db/pool.ts';
import { softDelete } from './soft-delete.ts';

export interface SavedInsight { id: number; short_id: string; name: string; description: string; filters: Record<string, unknown>; created_at: string; updated_at: string }

const columns = 'id, short_id, name, description, filters, created_at, updated_at';

export async function listSavedInsights(db: Queryable, projectId: number, limit: number, offset: number): Promise<SavedInsight[]> {
  const { rows } = await runQuery<SavedInsight>(db, 'insights.list',
    `SELECT ${columns} FROM insights WHERE project_id = $1 AND NOT deleted ORDER BY id DESC LIMIT $2 OFFSET $3`, [projectId, limit, offset]);
  return rows;
}

export async function getSavedInsight(db: Queryable, projectId: number, id: number): Promise<SavedInsight | undefined> {
  const { rows } = await runQuery<SavedInsight>(db, 'insights.get', `SELECT ${columns} FROM insights WHERE project_id = $1 AND id = $2 AND NOT deleted`, [projectId, id]);
  return rows[0];
}

export async function createSavedInsight(db: Queryable, projectId: number, input: { name: string; description?: string; filters: object }): Promise<SavedInsight> {
  const { rows } = await runQuery<SavedInsight>(db, 'insights.create',
    `INSERT INTO insights (project_id, short_id, name, description, filters) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${columns}`,
    [projectId, randomBytes(6).toString('base64url'), input.name, input.description ?? '', JSON.stringify(input.filters)]);
  return rows[0]!;
}

export async function updateSavedInsight(db: Queryable, projectId: number, id: number, input: { name?: string; description?: string; filters?: object }): Promise<SavedInsight | undefined> {
  const { rows } = await runQuery<SavedInsight>(db, 'insights.update',
    `UPDATE insights SET name = coalesce($3, name), description = coalesce($4, description), filters = coalesce($5::jsonb, filters), updated_at = now()
     WHERE project_id = $1 AND id = $2 AND NOT deleted RETURNING ${columns}`,
    [projectId, id, input.name ?? null, input.description ?? null, input.filters ? JSON.stringify(input.filters) : null]);
  return rows[0];
}

export function deleteSavedInsight(db: Queryable, projectId: number, id: number): Promise<boolean> {
  return softDelete(db, 'insights', projectId, id);
}
