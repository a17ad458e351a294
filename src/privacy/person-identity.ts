import { runQuery, type Queryable } from '../db/pool.ts';

export interface PersonIdentity { uuid: string; uuids: string[]; distinctIds: string[] }

/**
 * A person as privacy requests see them: found by uuid or any distinct id, with every distinct
 * id and every uuid their events may carry (persons merged into them keep their old uuid on
 * events, resolved through person_overrides).
 */
export async function findPersonIdentity(db: Queryable, projectId: number, by: { uuid?: string; distinctId?: string }): Promise<PersonIdentity | undefined> {
  const { rows } = await runQuery<{ uuid: string; uuids: string[]; distinct_ids: string[] }>(db, 'privacy.identity',
    `WITH target AS (
       SELECT p.uuid FROM persons p
       WHERE p.project_id = $1 AND (
         p.uuid = $2::uuid
         OR p.uuid = (SELECT o.override_person_uuid FROM person_overrides o WHERE o.project_id = $1 AND o.old_person_uuid = $2::uuid)
         OR p.uuid = (SELECT d.person_uuid FROM person_distinct_ids d WHERE d.project_id = $1 AND d.distinct_id = $3))
       LIMIT 1
     )
     SELECT t.uuid::text,
       array_prepend(t.uuid::text, coalesce((SELECT array_agg(o.old_person_uuid::text) FROM person_overrides o WHERE o.project_id = $1 AND o.override_person_uuid = t.uuid), '{}')) AS uuids,
       coalesce((SELECT array_agg(d.distinct_id ORDER BY d.distinct_id) FROM person_distinct_ids d WHERE d.project_id = $1 AND d.person_uuid = t.uuid), '{}') AS distinct_ids
     FROM target t`, [projectId, by.uuid ?? null, by.distinctId ?? null]);
  const row = rows[0];
  return row && { uuid: row.uuid, uuids: row.uuids, distinctIds: row.distinct_ids };
}
