import { clickHouseDateTimeText } from '../clickhouse/clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { propertyArrays } from '../clickhouse/property-arrays.ts';
import { runQuery, type PoolClient } from '../db/pool.ts';
import type { Person, PersonState } from './person-state.ts';

/** Persons whose row or overrides this batch changed: created, changed, merged either way, or given a new distinct id (which may link personless events to them). */
function changedPersons(state: PersonState): Person[] {
  const changed = new Set([...state.persons].filter((person) => person.isNew || person.dirty || person.mergedInto));
  for (const merge of state.merges) changed.add(merge.into);
  const byUuid = new Map([...state.persons].map((person) => [person.uuid, person]));
  for (const mapping of state.finalMappings()) if (mapping.isNewId) changed.add(byUuid.get(mapping.personUuid)!);
  return [...changed].filter(Boolean);
}

/**
 * Copies the persons a batch changed, and the overrides that point at them, from Postgres (as
 * this transaction sees them) to every ClickHouse node. Rows carry this transaction's id as
 * their version: a later transaction has a larger id, so the newest copy wins whatever order
 * rows arrive in, and a batch that rolls back and runs again writes over its own earlier copy.
 * A person merged away gets a deleted row.
 */
export async function copyPersonsToClickHouse(client: PoolClient, store: ClickHouseStore, state: PersonState): Promise<void> {
  const changed = changedPersons(state);
  const uuids = changed.map((person) => person.uuid);
  if (uuids.length === 0) return;
  const { rows: [transaction] } = await runQuery<{ version: string }>(client, 'worker.clickhouse_version', 'SELECT pg_current_xact_id()::text AS version');
  const version = transaction!.version;
  const { rows: persons } = await runQuery<{ uuid: string; project_id: number; properties: Record<string, unknown>; created_at: Date }>(client, 'worker.clickhouse_persons',
    'SELECT uuid, project_id, properties, created_at FROM persons WHERE uuid = ANY($1::uuid[])', [uuids]);
  const { rows: overrides } = await runQuery<{ project_id: number; old_person_uuid: string; override_person_uuid: string }>(client, 'worker.clickhouse_overrides',
    'SELECT project_id, old_person_uuid, override_person_uuid FROM person_overrides WHERE override_person_uuid = ANY($1::uuid[])', [uuids]);
  const alive = new Set(persons.map((person) => person.uuid));
  const personRows = [
    ...persons.map((person) => ({ project_id: person.project_id, id: person.uuid, ...propertyArrays(person.properties), created_at: clickHouseDateTimeText(person.created_at), is_deleted: 0, version })),
    ...changed.filter((person) => !alive.has(person.uuid))
      .map((person) => ({ project_id: person.projectId, id: person.uuid, prop_keys: [], prop_values: [], created_at: null, is_deleted: 1, version })),
  ];
  const overrideRows = overrides.map((row) => ({ project_id: row.project_id, old_person_id: row.old_person_uuid, override_person_id: row.override_person_uuid, version }));
  await Promise.all(store.nodes.map(async (node) => {
    await node.insert(clickHouseTable(store, 'persons'), personRows);
    await node.insert(clickHouseTable(store, 'person_overrides'), overrideRows);
  }));
}
