import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { deletePersonFromClickHouse } from '../clickhouse/delete-from-clickhouse.ts';
import { inTransaction, runQuery, type Pool } from '../db/pool.ts';
import { deleteEventsAndCounts } from '../rollups/event-counts.ts';
import { recutPathSessionsOf } from '../rollups/path-sessions.ts';
import { deletedActivityPersons, recountActivityOf } from '../rollups/person-activity.ts';
import { findPersonIdentity } from './person-identity.ts';

export interface DeletedPerson { uuid: string; distinct_ids: string[]; events_deleted: number }

/**
 * Deletes a person: their distinct ids (with the record of their personless events), merges,
 * cohort memberships, flag hash keys and, unless `keepEvents`, every event sent under any of
 * their distinct ids or person uuids. One transaction, so a crash leaves the person whole or
 * gone; with a ClickHouse events store, their rows there go too (and the count is of its
 * events). Events still waiting in the ingestion buffer for these ids arrive afterwards as a
 * new, anonymous person.
 */
export async function deletePerson(pool: Pool, projectId: number, by: { uuid?: string; distinctId?: string }, options: { keepEvents?: boolean; clickhouse?: ClickHouseStore } = {}): Promise<DeletedPerson | undefined> {
  return inTransaction(pool, async (client) => {
    const person = await findPersonIdentity(client, projectId, by);
    if (!person) return undefined;
    // ClickHouse first: should Postgres fail after it, the request is simply made again, and a
    // person can never be left gone from Postgres but still in ClickHouse.
    const clickHouseDeleted = options.clickhouse
      && await deletePersonFromClickHouse(options.clickhouse, { projectId, uuids: person.uuids, distinctIds: person.distinctIds, keepEvents: options.keepEvents === true });
    let eventsDeleted = 0;
    // Postgres too with a ClickHouse store: events from before the switch stay in its table.
    if (!options.keepEvents) {
      const { rows: [events] } = await runQuery<{ deleted: number; persons: string[] }>(client, 'privacy.delete_events', deleteEventsAndCounts(
        'DELETE FROM events WHERE project_id = $1 AND (distinct_id = ANY($2::text[]) OR person_id = ANY($3::uuid[])) RETURNING project_id, event, timestamp, properties, person_id, distinct_id',
        [deletedActivityPersons]), [projectId, person.distinctIds, person.uuids]);
      await recountActivityOf(client, projectId, events!.persons);
      await recutPathSessionsOf(client, projectId, events!.persons);
      eventsDeleted = clickHouseDeleted === undefined ? events!.deleted : clickHouseDeleted;
    }
    await runQuery(client, 'privacy.delete_flag_keys', 'DELETE FROM feature_flag_hash_key_overrides WHERE project_id = $1 AND distinct_id = ANY($2::text[])', [projectId, person.distinctIds]);
    await runQuery(client, 'privacy.delete_cohort_people',
      'DELETE FROM cohort_people c USING cohorts h WHERE h.id = c.cohort_id AND h.project_id = $1 AND c.person_uuid = ANY($2::uuid[])', [projectId, person.uuids]);
    await runQuery(client, 'privacy.delete_overrides', 'DELETE FROM person_overrides WHERE project_id = $1 AND (override_person_uuid = $2::uuid OR old_person_uuid = ANY($3::uuid[]))', [projectId, person.uuid, person.uuids]);
    await runQuery(client, 'privacy.delete_personless_ids', 'DELETE FROM personless_distinct_ids WHERE project_id = $1 AND distinct_id = ANY($2::text[])', [projectId, person.distinctIds]);
    await runQuery(client, 'privacy.delete_distinct_ids', 'DELETE FROM person_distinct_ids WHERE project_id = $1 AND person_uuid = $2::uuid', [projectId, person.uuid]);
    await runQuery(client, 'privacy.delete_person', 'DELETE FROM persons WHERE project_id = $1 AND uuid = $2::uuid', [projectId, person.uuid]);
    return { uuid: person.uuid, distinct_ids: person.distinctIds, events_deleted: eventsDeleted };
  });
}
