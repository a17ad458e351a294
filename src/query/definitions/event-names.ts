import { clickHouseTable, type ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { runQuery, type Queryable } from '../../db/pool.ts';
import { ClickHouseParams } from '../clickhouse/clickhouse-params.ts';

/**
 * Every event name the project has sent. On Postgres by a loose index scan over (project_id,
 * event, ...): one index probe per distinct name, so it stays fast on tens of millions of
 * events. On ClickHouse the name is the order key's third column, a few bytes per granule.
 */
export async function listEventNames(db: Queryable, projectId: number, clickhouse?: ClickHouseStore, limit = 500): Promise<string[]> {
  if (clickhouse) {
    const params = new ClickHouseParams();
    const rows = await clickhouse.primary.query<{ event: string }>(`/* definitions.event_names */
      SELECT DISTINCT event FROM ${clickHouseTable(clickhouse, 'events')} WHERE project_id = ${params.add(projectId)} ORDER BY event LIMIT ${params.add(limit)}`);
    return rows.map((row) => row.event);
  }
  const { rows } = await runQuery<{ event: string }>(db, 'definitions.event_names',
    `WITH RECURSIVE names AS (
       (SELECT event FROM events WHERE project_id = $1 ORDER BY event LIMIT 1)
       UNION ALL
       SELECT (SELECT e.event FROM events e WHERE e.project_id = $1 AND e.event > names.event ORDER BY e.event LIMIT 1)
       FROM names WHERE names.event IS NOT NULL
     )
     SELECT event FROM names WHERE event IS NOT NULL LIMIT $2`, [projectId, limit]);
  return rows.map((row) => row.event);
}
