import { runQuery, type PoolClient } from '../db/pool.ts';
import type { PersonState } from './person-state.ts';
import { toStorableJson } from './sanitise-json.ts';
import { linkPersonlessIds } from './write-personless.ts';

/** A distinct id another worker claimed after this batch loaded its persons: retry the batch. */
export class PersonConflictError extends Error {
  readonly retriable = true;
}

/** Writes a batch's person changes with a fixed number of statements, whatever its size. */
export async function writePersons(client: PoolClient, state: PersonState): Promise<void> {
  const alive = [...state.persons].filter((person) => !person.mergedInto);
  const created = alive.filter((person) => person.isNew);
  const changed = alive.filter((person) => !person.isNew && person.dirty);

  if (created.length > 0) {
    await runQuery(client, 'worker.insert_persons',
      `INSERT INTO persons (uuid, project_id, properties, is_identified, created_at, version)
       SELECT uuid, project_id, properties::jsonb, is_identified, created_at, 0
       FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::boolean[], $5::timestamptz[])
         AS rows (uuid, project_id, properties, is_identified, created_at)`,
      [created.map((p) => p.uuid), created.map((p) => p.projectId), created.map((p) => toStorableJson(p.properties)),
        created.map((p) => p.isIdentified), created.map((p) => p.createdAt)]);
  }
  if (changed.length > 0) {
    await runQuery(client, 'worker.update_persons',
      `UPDATE persons SET properties = rows.properties::jsonb, is_identified = rows.is_identified,
         created_at = rows.created_at, version = persons.version + 1
       FROM unnest($1::uuid[], $2::text[], $3::boolean[], $4::timestamptz[]) AS rows (uuid, properties, is_identified, created_at)
       WHERE persons.uuid = rows.uuid`,
      [changed.map((p) => p.uuid), changed.map((p) => toStorableJson(p.properties)), changed.map((p) => p.isIdentified), changed.map((p) => p.createdAt)]);
  }

  if (state.merges.length > 0) await writeMerges(client, state);

  const mappings = state.finalMappings();
  const fresh = mappings.filter((m) => m.isNewId);
  const moved = mappings.filter((m) => !m.isNewId);
  if (fresh.length > 0) {
    const inserted = await runQuery(client, 'worker.insert_distinct_ids',
      `INSERT INTO person_distinct_ids (project_id, distinct_id, person_uuid)
       SELECT * FROM unnest($1::integer[], $2::text[], $3::uuid[])
       ON CONFLICT (project_id, distinct_id) DO NOTHING`,
      [fresh.map((m) => m.projectId), fresh.map((m) => m.distinctId), fresh.map((m) => m.personUuid)]);
    if (inserted.rowCount !== fresh.length) throw new PersonConflictError('a distinct id was claimed concurrently');
    await linkPersonlessIds(client, fresh);
  }
  if (moved.length > 0) {
    await runQuery(client, 'worker.move_distinct_ids',
      `UPDATE person_distinct_ids SET person_uuid = rows.person_uuid
       FROM unnest($1::integer[], $2::text[], $3::uuid[]) AS rows (project_id, distinct_id, person_uuid)
       WHERE person_distinct_ids.project_id = rows.project_id AND person_distinct_ids.distinct_id = rows.distinct_id`,
      [moved.map((m) => m.projectId), moved.map((m) => m.distinctId), moved.map((m) => m.personUuid)]);
  }
}

/**
 * Every merge of the batch at once. Each merged-away person points at its final survivor, so
 * chains (a into b, b into c) need no ordering: ids, older overrides and new overrides all go
 * straight to the end of the chain.
 */
async function writeMerges(client: PoolClient, state: PersonState): Promise<void> {
  const merges = state.merges.map(({ projectId, from, into }) => ({ projectId, from, target: resolve(into) }));
  const projects = merges.map((m) => m.projectId);
  const froms = merges.map((m) => m.from.uuid);
  const targets = merges.map((m) => m.target.uuid);
  await runQuery(client, 'worker.merge_move_ids',
    `UPDATE person_distinct_ids SET person_uuid = m.target
     FROM unnest($1::uuid[], $2::uuid[]) AS m (source, target) WHERE person_distinct_ids.person_uuid = m.source`, [froms, targets]);
  await runQuery(client, 'worker.merge_repoint_overrides',
    `UPDATE person_overrides SET override_person_uuid = m.target
     FROM unnest($1::integer[], $2::uuid[], $3::uuid[]) AS m (project_id, source, target)
     WHERE person_overrides.project_id = m.project_id AND person_overrides.override_person_uuid = m.source`, [projects, froms, targets]);
  await runQuery(client, 'worker.merge_overrides',
    `INSERT INTO person_overrides (project_id, old_person_uuid, override_person_uuid)
     SELECT * FROM unnest($1::integer[], $2::uuid[], $3::uuid[])
     ON CONFLICT (project_id, old_person_uuid) DO UPDATE SET override_person_uuid = excluded.override_person_uuid, merged_at = now()`,
    [projects, froms, targets]);
  const stored = merges.filter((m) => !m.from.isNew).map((m) => m.from.uuid);
  if (stored.length > 0) await runQuery(client, 'worker.merge_delete_persons', 'DELETE FROM persons WHERE uuid = ANY($1::uuid[])', [stored]);
}

function resolve<T extends { mergedInto?: T }>(person: T): T {
  let current = person;
  while (current.mergedInto) current = current.mergedInto;
  return current;
}
