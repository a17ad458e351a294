import type { BufferedEvent } from './buffered-batch.ts';
import { applyPropertyUpdates } from './person-properties.ts';
import { isLegalDistinctId, type Person, type PersonState } from './person-state.ts';
import { personlessPersonId } from './personless-person-id.ts';

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
  if (!other) state.markClaimed(projectId, otherId);
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

/**
 * Walks a batch's events in order and resolves each one's person: creation on first sight,
 * $identify, $create_alias, merges, and $set/$set_once/$unset. Sets `personId` on each event;
 * an event without a person profile gets its id's person if there is one, else an id of its own.
 */
export function processPersons(state: PersonState, events: BufferedEvent[]): GroupUpdate[] {
  const groups: GroupUpdate[] = [];
  for (const row of events) {
    const { projectId, distinctId, ops } = row;
    if (ops?.group) {
      groups.push({ projectId, groupType: ops.group.type, groupKey: ops.group.key, properties: ops.group.set, at: row.timestamp });
      continue;
    }
    if (!isLegalDistinctId(distinctId)) continue;
    if (ops?.personless) {
      // As PostHog does: an id that has a person keeps it, without touching its properties.
      const known = state.find(projectId, distinctId);
      if (!known) state.markPersonless(projectId, distinctId);
      row.personId = known?.uuid ?? personlessPersonId(distinctId);
      continue;
    }

    if (ops?.anonDistinctId !== undefined && isLegalDistinctId(ops.anonDistinctId)) {
      joinIds(state, projectId, distinctId, ops.anonDistinctId, row.timestamp, true);
    } else if (ops?.alias !== undefined && isLegalDistinctId(ops.alias)) {
      joinIds(state, projectId, distinctId, ops.alias, row.timestamp, false);
    }
    const person = ensurePerson(state, projectId, distinctId, row.timestamp);
    if ((row.event === '$identify' || row.event === '$create_alias') && !person.isIdentified) {
      person.isIdentified = true;
      person.dirty = true;
    }
    if (ops && applyPropertyUpdates(person.properties, ops)) person.dirty = true;
    row.personId = person.uuid;
  }
  return groups;
}
