import { runQuery, type PoolClient } from '../db/pool.ts';
import type { PersonState } from './person-state.ts';
import { PersonConflictError } from './write-persons.ts';

type Id = { projectId: number; distinctId: string };
type Mapping = Id & { personUuid: string; claimed: boolean };

const byId = (a: Id, b: Id) => a.projectId - b.projectId || (a.distinctId < b.distinctId ? -1 : a.distinctId > b.distinctId ? 1 : 0);

/**
 * Records the ids whose events this batch stored without a person. A worker of another shard
 * may be joining one of them to a person right now ($identify with it as $anon_distinct_id):
 * that worker writes the same row first, so the insert below waits for it to commit, and the
 * check after it then sees the new person and sends the batch round again to use it.
 * Sorted, so two such workers take the rows in the same order.
 */
export async function recordPersonlessIds(client: PoolClient, state: PersonState): Promise<void> {
  const ids = [...state.personlessIds.values()].sort(byId);
  if (ids.length === 0) return;
  const params = [ids.map((id) => id.projectId), ids.map((id) => id.distinctId)];
  await runQuery(client, 'worker.record_personless',
    `INSERT INTO personless_distinct_ids (project_id, distinct_id)
     SELECT * FROM unnest($1::integer[], $2::text[]) ON CONFLICT DO NOTHING`, params);
  const { rows } = await runQuery(client, 'worker.personless_now_known',
    `SELECT 1 FROM unnest($1::integer[], $2::text[]) AS ids (project_id, distinct_id)
     JOIN person_distinct_ids pdi USING (project_id, distinct_id) LIMIT 1`, params);
  if (rows.length > 0) throw new PersonConflictError('a personless distinct id joined a person concurrently');
}

/**
 * Points the personless events of ids that just joined a person at that person, through the
 * override every query already follows. Ids joined from another shard first claim their row
 * (see recordPersonlessIds); an id whose claim was new had no personless events to link.
 */
export async function linkPersonlessIds(client: PoolClient, fresh: Mapping[]): Promise<void> {
  if (fresh.length === 0) return;
  const claimed = fresh.filter((m) => m.claimed).sort(byId);
  let unclaimedBefore = new Set<string>();
  if (claimed.length > 0) {
    const { rows } = await runQuery<{ project_id: number; distinct_id: string }>(client, 'worker.claim_personless',
      `INSERT INTO personless_distinct_ids (project_id, distinct_id)
       SELECT * FROM unnest($1::integer[], $2::text[]) ON CONFLICT DO NOTHING
       RETURNING project_id, distinct_id`,
      [claimed.map((m) => m.projectId), claimed.map((m) => m.distinctId)]);
    unclaimedBefore = new Set(rows.map((row) => `${row.project_id}\u0000${row.distinct_id}`));
  }
  const linkable = fresh.filter((m) => !unclaimedBefore.has(`${m.projectId}\u0000${m.distinctId}`));
  if (linkable.length === 0) return;
  await runQuery(client, 'worker.link_personless',
    `INSERT INTO person_overrides (project_id, old_person_uuid, override_person_uuid)
     SELECT m.project_id, md5(m.distinct_id)::uuid, m.person_uuid
     FROM unnest($1::integer[], $2::text[], $3::uuid[]) AS m (project_id, distinct_id, person_uuid)
     JOIN personless_distinct_ids pl ON pl.project_id = m.project_id AND pl.distinct_id = m.distinct_id
     ON CONFLICT (project_id, old_person_uuid) DO UPDATE SET override_person_uuid = excluded.override_person_uuid, merged_at = now()`,
    [linkable.map((m) => m.projectId), linkable.map((m) => m.distinctId), linkable.map((m) => m.personUuid)]);
}
