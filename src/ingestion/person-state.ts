import { randomUUID } from 'node:crypto';
import { combineProperties } from './person-properties.ts';

type Json = Record<string, unknown>;

export interface Person {
  uuid: string;
  projectId: number;
  properties: Json;
  isIdentified: boolean;
  createdAt: Date;
  version: number;
  /** Created in this batch, not yet in the database. */
  isNew: boolean;
  dirty: boolean;
  /** Merged into another person in this batch. */
  mergedInto?: Person;
}

export interface Merge { projectId: number; from: Person; into: Person }

/** Ids that must never create or merge persons (PostHog's list). */
const illegalDistinctIds = new Set(['anonymous', 'null', 'undefined', 'none', '0', '[object object]', 'nan', 'guest', 'distinct_id', 'id', 'not_authenticated', 'email', 'true', 'false']);

export function isLegalDistinctId(id: unknown): id is string {
  if (typeof id !== 'string') return false;
  const trimmed = id.trim();
  return trimmed.length > 0 && !illegalDistinctIds.has(trimmed.toLowerCase());
}

const key = (projectId: number, distinctId: string) => `${projectId}\u0000${distinctId}`;

/**
 * The persons a batch touches, held in memory while its events are processed in order.
 * Records which distinct ids are new, which moved, and which persons merged, for one write.
 */
export class PersonState {
  private readonly byDistinctId = new Map<string, Person>();
  /** Distinct ids known in the database when the batch was loaded. */
  private readonly stored = new Set<string>();
  private readonly byUuid = new Map<string, Person>();
  readonly persons = new Set<Person>();
  readonly merges: Merge[] = [];
  readonly touchedIds = new Map<string, { projectId: number; distinctId: string }>();
  /** Ids whose events this batch stored without a person (no person had them yet). */
  readonly personlessIds = new Map<string, { projectId: number; distinctId: string }>();
  /** New ids joined to a person by another id's event: they live in another shard. */
  readonly claimedIds = new Set<string>();

  addLoaded(projectId: number, distinctId: string, person: Person): void {
    const target = this.byUuid.get(person.uuid) ?? person;
    this.byUuid.set(target.uuid, target);
    this.persons.add(target);
    this.byDistinctId.set(key(projectId, distinctId), target);
    this.stored.add(key(projectId, distinctId));
  }

  find(projectId: number, distinctId: string): Person | undefined {
    let person = this.byDistinctId.get(key(projectId, distinctId));
    while (person?.mergedInto) person = person.mergedInto;
    return person;
  }

  wasStored(projectId: number, distinctId: string): boolean {
    return this.stored.has(key(projectId, distinctId));
  }

  create(projectId: number, distinctId: string, createdAt: Date): Person {
    const person: Person = { uuid: randomUUID(), projectId, properties: {}, isIdentified: false, createdAt, version: 0, isNew: true, dirty: true };
    this.persons.add(person);
    this.assign(projectId, distinctId, person);
    return person;
  }

  assign(projectId: number, distinctId: string, person: Person): void {
    this.byDistinctId.set(key(projectId, distinctId), person);
    this.touchedIds.set(key(projectId, distinctId), { projectId, distinctId });
  }

  markPersonless(projectId: number, distinctId: string): void {
    this.personlessIds.set(key(projectId, distinctId), { projectId, distinctId });
  }

  markClaimed(projectId: number, distinctId: string): void {
    this.claimedIds.add(key(projectId, distinctId));
  }

  /**
   * `from` disappears into `into`: oldest creation time, `into`'s properties win. Its ids need
   * no bookkeeping here: `find` follows `mergedInto`, and the write moves the stored ones.
   */
  merge(from: Person, into: Person): void {
    if (from === into) return;
    into.properties = combineProperties(into.properties, from.properties);
    if (from.createdAt < into.createdAt) into.createdAt = from.createdAt;
    into.isIdentified ||= from.isIdentified;
    into.dirty = true;
    from.mergedInto = into;
    this.merges.push({ projectId: into.projectId, from, into });
  }

  /** Final owner of each distinct id the batch touched. */
  finalMappings(): Array<{ projectId: number; distinctId: string; personUuid: string; isNewId: boolean; claimed: boolean }> {
    return [...this.touchedIds.entries()].map(([idKey, { projectId, distinctId }]) => ({
      projectId,
      distinctId,
      personUuid: this.find(projectId, distinctId)!.uuid,
      isNewId: !this.wasStored(projectId, distinctId),
      claimed: this.claimedIds.has(idKey),
    }));
  }
}
