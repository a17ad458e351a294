import { runQuery, type Queryable } from '../../db/pool.ts';

/**
 * Every event name the project has sent, by a loose index scan over (project_id, event, ...):
 * one index probe per distinct name, so it stays fast on tens of millions of events.
 */
export async function listEventNames(db: Queryable, projectId: number, limit = 500): Promise<string[]> {
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
