import { newSecretToken } from '../accounts/secret-token.ts';
import { runQuery, type Queryable } from '../db/pool.ts';
import type { SavedInsight } from './saved-insights.ts';
import { softDelete } from './soft-delete.ts';

export interface DashboardRecord { id: number; project_id: number; name: string; description: string; refresh_seconds: number | null; share_token: string | null; created_at: string; updated_at: string }
export interface DashboardTile { id: number; insight_id: number; layout: Record<string, unknown> }
export interface DashboardTileWithInsight extends DashboardTile { insight: SavedInsight }

const columns = 'id, project_id, name, description, refresh_seconds, share_token, created_at, updated_at';

export async function listDashboards(db: Queryable, projectId: number): Promise<DashboardRecord[]> {
  const { rows } = await runQuery<DashboardRecord>(db, 'dashboards.list', `SELECT ${columns} FROM dashboards WHERE project_id = $1 AND NOT deleted ORDER BY id`, [projectId]);
  return rows;
}

export async function getDashboard(db: Queryable, projectId: number, id: number): Promise<DashboardRecord | undefined> {
  const { rows } = await runQuery<DashboardRecord>(db, 'dashboards.get', `SELECT ${columns} FROM dashboards WHERE project_id = $1 AND id = $2 AND NOT deleted`, [projectId, id]);
  return rows[0];
}

export async function createDashboard(db: Queryable, projectId: number, input: { name: string; description?: string; refresh_seconds?: number | null }): Promise<DashboardRecord> {
  const { rows } = await runQuery<DashboardRecord>(db, 'dashboards.create',
    `INSERT INTO dashboards (project_id, name, description, refresh_seconds) VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
    [projectId, input.name, input.description ?? '', input.refresh_seconds ?? null]);
  return rows[0]!;
}

export async function updateDashboard(db: Queryable, projectId: number, id: number, input: { name?: string; description?: string; refresh_seconds?: number | null }): Promise<DashboardRecord | undefined> {
  const { rows } = await runQuery<DashboardRecord>(db, 'dashboards.update',
    `UPDATE dashboards SET name = coalesce($3, name), description = coalesce($4, description),
       refresh_seconds = CASE WHEN $6 THEN $5 ELSE refresh_seconds END, updated_at = now()
     WHERE project_id = $1 AND id = $2 AND NOT deleted RETURNING ${columns}`,
    [projectId, id, input.name ?? null, input.description ?? null, input.refresh_seconds ?? null, input.refresh_seconds !== undefined]);
  return rows[0];
}

/** Turns the share link on (a new token each time) or off; undefined when the dashboard is not in the project. */
export async function setDashboardSharing(db: Queryable, projectId: number, id: number, enabled: boolean): Promise<DashboardRecord | undefined> {
  const { rows } = await runQuery<DashboardRecord>(db, 'dashboards.sharing',
    `UPDATE dashboards SET share_token = $3, updated_at = now() WHERE project_id = $1 AND id = $2 AND NOT deleted RETURNING ${columns}`,
    [projectId, id, enabled ? newSecretToken() : null]);
  return rows[0];
}

export async function getSharedDashboard(db: Queryable, token: string): Promise<DashboardRecord | undefined> {
  const { rows } = await runQuery<DashboardRecord>(db, 'dashboards.shared', `SELECT ${columns} FROM dashboards WHERE share_token = $1 AND NOT deleted`, [token]);
  return rows[0];
}

export function deleteDashboard(db: Queryable, projectId: number, id: number): Promise<boolean> {
  return softDelete(db, 'dashboards', projectId, id);
}

/** The tiles with their saved insights, in one query. */
export async function listTiles(db: Queryable, dashboardId: number): Promise<DashboardTileWithInsight[]> {
  const { rows } = await runQuery<DashboardTileWithInsight>(db, 'dashboards.tiles',
    `SELECT t.id, t.insight_id, t.layout,
       json_build_object('id', i.id, 'short_id', i.short_id, 'name', i.name, 'description', i.description, 'filters', i.filters,
         'created_at', i.created_at, 'updated_at', i.updated_at) AS insight
     FROM dashboard_tiles t JOIN insights i ON i.id = t.insight_id AND NOT i.deleted
     WHERE t.dashboard_id = $1 ORDER BY t.id`, [dashboardId]);
  return rows;
}

/** Adds a saved insight of the same project as a tile; undefined when the dashboard or insight is not in the project. */
export async function addTile(db: Queryable, projectId: number, dashboardId: number, insightId: number, layout: object): Promise<DashboardTile | undefined> {
  const { rows } = await runQuery<DashboardTile>(db, 'dashboards.add_tile',
    `INSERT INTO dashboard_tiles (dashboard_id, insight_id, layout)
     SELECT d.id, i.id, $4::jsonb FROM dashboards d JOIN insights i ON i.project_id = d.project_id
     WHERE d.project_id = $1 AND d.id = $2 AND i.id = $3 AND NOT d.deleted AND NOT i.deleted
     ON CONFLICT (dashboard_id, insight_id) DO UPDATE SET layout = excluded.layout
     RETURNING id, insight_id, layout`, [projectId, dashboardId, insightId, JSON.stringify(layout)]);
  return rows[0];
}

export async function removeTile(db: Queryable, projectId: number, dashboardId: number, tileId: number): Promise<boolean> {
  const result = await runQuery(db, 'dashboards.remove_tile',
    'DELETE FROM dashboard_tiles t USING dashboards d WHERE t.dashboard_id = d.id AND d.project_id = $1 AND d.id = $2 AND t.id = $3', [projectId, dashboardId, tileId]);
  return (result.rowCount ?? 0) > 0;
}
