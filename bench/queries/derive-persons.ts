import type { Pool } from '../../src/db/pool.ts';

/**
 * Persons for a dataset loaded with COPY (which writes events only): one person per person id
 * on the events, created at its first event, with the properties its `$set` events set (the
 * latest value of each key wins), and its distinct ids.
 */
export async function derivePersons(pool: Pool, projectId: number): Promise<number> {
  await pool.query(`WITH sets AS (
      SELECT DISTINCT ON (s.person_id, kv.key) s.person_id, kv.key, kv.value FROM events s, jsonb_each(s.properties -> '$set') kv
      WHERE s.project_id = $1 AND s.event IN ('$identify', '$set') AND jsonb_typeof(s.properties -> '$set') = 'object'
      ORDER BY s.person_id, kv.key, s.timestamp DESC),
    props AS (SELECT person_id, jsonb_object_agg(key, value) AS properties FROM sets GROUP BY 1),
    firsts AS (SELECT person_id, min(timestamp) AS first_seen FROM events WHERE project_id = $1 AND person_id IS NOT NULL GROUP BY 1)
    INSERT INTO persons (uuid, project_id, properties, is_identified, created_at)
    SELECT f.person_id, $1, coalesce(p.properties, '{}'), false, f.first_seen FROM firsts f LEFT JOIN props p USING (person_id)`, [projectId]);
  const { rowCount } = await pool.query(`INSERT INTO person_distinct_ids (project_id, distinct_id, person_uuid)
    SELECT DISTINCT ON (distinct_id) $1, distinct_id, person_id FROM events WHERE project_id = $1 AND person_id IS NOT NULL ORDER BY distinct_id, timestamp`, [projectId]);
  await pool.query('ANALYZE persons; ANALYZE person_distinct_ids');
  return rowCount ?? 0;
}
