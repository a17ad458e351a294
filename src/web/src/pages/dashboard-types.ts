import type { InsightFilter } from '../api/insights.ts';

export interface Dashboard { id: number; name: string; description: string; refresh_seconds: number | null; share_token?: string | null; created_at: string }
export interface TileLayout { wide?: boolean; position?: number }
export interface DashboardTile {
  id: number;
  insight_id: number;
  layout: TileLayout;
  insight: { id: number; name: string; filters: InsightFilter; result: unknown; last_refresh: string; is_cached: boolean };
}
export interface DashboardWithTiles extends Dashboard { tiles: DashboardTile[] }
