import type { EventRow } from './buffered-batch.ts';
import { applyPropertyUpdates, readPropertyUpdates } from './person-properties.ts';
import { isLegalDistinctId, type Person, type PersonState } from './person-state.ts';

export interface GroupUpdate { projectId: number; groupType: string; groupKey: string; properties: Record<string, unknown>; at: Date }

function ensurePerson(state: PersonState, projectId: number, distinctId: string, at: Date): Person {
  return state.find(projectId, distinctId) ?? state.create(projectId, distinctId, at);
}

/**
 * Joins two distinct ids into one person. `primaryId` is the id that stays (the identified
 * one); `otherId` is the anonymous or aliased one. When both have persons, `otherId`'s person is
 * merged into `primaryId`'s, unless `guardIdentified` and that person is already identified.
 */
function joinIds(state: PersonState, projectId: number, primaryId: string, otherId: string, at: Date, guardIdentified: boolean): void {
  if (primaryId === otherId) return;
  const primary = state.find(projectId, primaryId);
  const other = state.find(projectId, otherId);
  if (!primary && !other) {
    const person = state.create(projectId, primaryId, at);
    state.assign(projectId, otherId, person);
  } else if (primary && !other) {
    state.assign(projectId, otherId, primary);
  } else if (!primary && other) {
    state.assign(projectId, primaryId, other);
  } else if (primary && other && primary !== other) {
    if (guardIdentified && other.isIdentified) return;
    state.merge(other, primary);
  }
}

function collectGroup(row: EventRow, groups: GroupUpdate[]): void {
  const { $group_type: groupType, $group_key: groupKey, $group_set: groupSet } = row.properties;
  if (typeof groupType !== 'string' || groupKey === undefined || groupKey === null) return;
  groups.push({
    projectId: row.projectId,
    groupType,
    groupKey: String(groupKey),
    properties: typeof groupSet === 'object' && groupSet !== null && !Array.isArray(groupSet) ? (groupSet as Record<string, unknown>) : {},
    at: row.timestamp,
  });
}

/**
 * Walks a batch's events in order and resolves each one's person: creation on first sight,
 * $identify, $create_alias, merges, and $set/$set_once/$unset. Sets `personId` on each row.
 */
export function processPersons(state: PersonState, rows: EventRow[]): GroupUpdate[] {
  const groups: GroupUpdate[] = [];
  for (const row of rows) {
    const { projectId, distinctId, properties } = row;
    if (row.event === '$groupidentify') {
      collectGroup(row, groups);
      continue;
    }
    // Personless events (posthog-js `$process_person_profile: false`) and illegal ids touch no person.
    if (properties.$process_person_profile === false || !isLegalDistinctId(distinctId)) continue;

    if (row.event === '$identify' && isLegalDistinctId(properties.$anon_distinct_id)) {
      joinIds(state, projectId, distinctId, properties.$anon_distinct_id, row.timestamp, true);
    } else if (row.event === '$create_alias' && isLegalDistinctId(properties.alias)) {
      joinIds(state, projectId, distinctId, properties.alias, row.timestamp, false);
    }
    const person = ensurePerson(state, projectId, distinctId, row.timestamp);
    if ((row.event === '$identify' || row.event === '$create_alias') && !person.isIdentified) {
      person.isIdentified = true;
      person.dirty = true;
    }
    const updates = readPropertyUpdates(properties);
    if (updates && applyPropertyUpdates(person.properties, updates)) person.dirty = true;
    row.personId = person.uuid;
  }
  return groups;
}
