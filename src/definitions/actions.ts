import { runQuery, type Queryable } from '../db/pool.ts';
import { softDelete } from './soft-delete.ts';
import type { ActionStep } from '../query/filters/action-condition.ts';

export interface ActionRecord { id: number; name: string; description: string; steps: ActionStep[]; created_at: string; updated_at: string }

const columns = 'id, name, description, steps, created_at, updated_at';

export async function listActions(db: Queryable, projectId: number): Promise<ActionRecord[]> {
  const { rows } = await runQuery<ActionRecord>(db, 'actions.list', `SELECT ${columns} FROM actions WHERE project_id = $1 AND NOT deleted ORDER BY id`, [projectId]);
  return rows;
}

export async function getAction(db: Queryable, projectId: number, id: number): Promise<ActionRecord | undefined> {
  const { rows } = await runQuery<ActionRecord>(db, 'actions.get', `SELECT ${columns} FROM actions WHERE project_id = $1 AND id = $2 AND NOT deleted`, [projectId, id]);
  return rows[0];
}

export async function createAction(db: Queryable, projectId: number, input: { name: string; description?: string; steps: ActionStep[] }): Promise<ActionRecord> {
  const { rows } = await runQuery<ActionRecord>(db, 'actions.create',
    `INSERT INTO actions (project_id, name, description, steps) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${columns}`,
    [projectId, input.name, input.description ?? '', JSON.stringify(input.steps)]);
  return rows[0]!;
}

export async function updateAction(db: Queryable, projectId: number, id: number, input: { name?: string; description?: string; steps?: ActionStep[] }): Promise<ActionRecord | undefined> {
  const { rows } = await runQuery<ActionRecord>(db, 'actions.update',
    `UPDATE actions SET name = coalesce($3, name), description = coalesce($4, description), steps = coalesce($5::jsonb, steps), updated_at = now()
     WHERE project_id = $1 AND id = $2 AND NOT deleted RETURNING ${columns}`,
    [projectId, id, input.name ?? null, input.description ?? null, input.steps ? JSON.stringify(input.steps) : null]);
  return rows[0];
}

export function deleteAction(db: Queryable, projectId: number, id: number): Promise<boolean> {
  return softDelete(db, 'actions', projectId, id);
}
