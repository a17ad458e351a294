import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { runQuery, type Queryable } from '../db/pool.ts';
import { postgres } from './dialects/postgres.ts';
import type { Dialect } from './dialects/dialect.ts';

export interface ProjectSettings { id: number; timezone: string; weekStartDay: 0 | 1 }

/** Everything an insight needs besides its filter: where to read, which project, and when "now" is. */
export interface InsightContext {
  db: Queryable;
  project: ProjectSettings;
  now: Date;
  dialect: Dialect;
  /** Whether plain event counts may be read from event_counts (a PostgreSQL store's rollup) instead of the events. */
  eventCounts: boolean;
  /** Whether who was active when may be read from person_activity (a PostgreSQL store's rollup) instead of the events. */
  personActivity: boolean;
  /** Whether paths may read each person's sessions from path_sessions (a PostgreSQL store's rollup) instead of the events. */
  pathSessions: boolean;
  /** The ClickHouse events store, when events live there: insights it can compute read it instead of Postgres. */
  clickhouse?: ClickHouseStore;
}

export async function loadProjectSettings(db: Queryable, projectId: number): Promise<ProjectSettings> {
  const { rows } = await runQuery<{ timezone: string; week_start_day: number }>(db, 'insights.project',
    'SELECT timezone, week_start_day FROM projects WHERE id = $1', [projectId]);
  if (!rows[0]) throw new Error(`project ${projectId} does not exist`);
  return { id: projectId, timezone: rows[0].timezone, weekStartDay: rows[0].week_start_day === 1 ? 1 : 0 };
}

export async function createInsightContext(db: Queryable, projectId: number, now = new Date(), clickhouse?: ClickHouseStore): Promise<InsightContext> {
  return { db, project: await loadProjectSettings(db, projectId), now, dialect: postgres, eventCounts: true, personActivity: true, pathSessions: true, clickhouse };
}
