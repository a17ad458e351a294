import { runPrepared, type Queryable } from '../db/pool.ts';
import type { FeatureFlag } from './flag-definition.ts';
import type { FlagDefinitions, FlagSubject } from './evaluate-flags.ts';
import type { PropertyValues } from './match-flag-property.ts';

/** What an SDK sent to /flags, validated (see flags-request.ts). */
export interface FlagsRequest {
  token: string;
  distinctId: string;
  anonDistinctId?: string;
  personProperties: PropertyValues;
  groups: Record<string, string>;
  groupProperties: Record<string, PropertyValues>;
  flagKeys?: string[];
}

const hasConditions = (flag: FeatureFlag) => flag.filters.groups.some((condition) => condition.properties.length > 0);
const isGroupFlag = (flag: FeatureFlag) => flag.filters.aggregation_group_type_index != null;

/** Whether a flag's answer can depend on stored data (person or group properties, cohorts, hash keys). */
export function needsStoredData(flag: FeatureFlag): boolean {
  return flag.active && (flag.ensure_experience_continuity || hasConditions(flag));
}

function membershipCohorts(definitions: FlagDefinitions, flags: FeatureFlag[]): number[] {
  const ids = new Set<number>();
  // A membership cohort can hide inside a properties cohort only by nesting, and such cohorts are
  // classified as membership themselves; so the flags' own cohort conditions are all to look at.
  for (const flag of flags) {
    for (const condition of flag.filters.groups) {
      for (const property of condition.properties) {
        if (property.type === 'cohort' && definitions.cohorts.get(property.value)?.kind === 'membership') ids.add(property.value);
      }
    }
  }
  return [...ids];
}

function continuityKeys(flags: FeatureFlag[]): string[] {
  return flags.filter((flag) => flag.active && flag.ensure_experience_continuity).map((flag) => flag.key);
}

interface StoredSubject {
  properties: PropertyValues | null;
  cohorts: number[];
  hash_keys: Record<string, string>;
  groups: Array<[number, PropertyValues]>;
}

/**
 * Everything stored about the subject, in one statement (one round trip per /flags request):
 * the person's properties and membership cohorts, hash key overrides and group properties.
 *
 * The person: the identified id may not have reached a worker yet right after identify; then
 * the anonymous id's person is the same person.
 *
 * Hash keys (experience continuity): the first time an identified id is seen with its anonymous
 * id, each flag that asks for continuity remembers to keep hashing the anonymous id. Existing
 * choices are never overwritten, so logging in on a second device does not reshuffle the first.
 * Rows written by this statement are not visible to its own reads, hence the union with RETURNING.
 */
async function storedSubject(db: Queryable, definitions: FlagDefinitions, request: FlagsRequest, needs: { person: boolean; cohortIds: number[]; hashKeys: string[] }): Promise<StoredSubject> {
  const distinctIds = needs.person ? (request.anonDistinctId ? [request.distinctId, request.anonDistinctId] : [request.distinctId]) : [];
  const identifying = request.anonDistinctId !== undefined && request.anonDistinctId !== request.distinctId;
  const groupIndexes: number[] = [];
  const groupKeys: string[] = [];
  for (const [index, name] of definitions.groupTypes) {
    if (request.groups[name] !== undefined) { groupIndexes.push(index); groupKeys.push(request.groups[name]); }
  }
  const { rows } = await runPrepared<StoredSubject>(db, 'flags.subject',
    `WITH person AS (
       SELECT p.uuid, p.properties FROM person_distinct_ids d
       JOIN persons p ON p.uuid = d.person_uuid AND p.project_id = d.project_id
       WHERE d.project_id = $1 AND d.distinct_id = ANY($2::text[])
       ORDER BY d.distinct_id = $3 DESC LIMIT 1),
     written AS (
       INSERT INTO feature_flag_hash_key_overrides (project_id, distinct_id, flag_key, hash_key)
       SELECT $1, $3, flag_key, $5 FROM unnest($4::text[]) AS flag_key WHERE $5::text IS NOT NULL
       ON CONFLICT DO NOTHING
       RETURNING flag_key, hash_key),
     hash_keys AS (
       SELECT flag_key, hash_key FROM feature_flag_hash_key_overrides
       WHERE project_id = $1 AND distinct_id = $3 AND flag_key = ANY($4::text[])
       UNION ALL SELECT flag_key, hash_key FROM written)
     SELECT (SELECT properties FROM person) AS properties,
       ARRAY(SELECT c.cohort_id FROM cohort_people c JOIN person ON c.person_uuid = person.uuid WHERE c.cohort_id = ANY($6::int[])) AS cohorts,
       (SELECT coalesce(jsonb_object_agg(flag_key, hash_key), '{}') FROM hash_keys) AS hash_keys,
       (SELECT coalesce(jsonb_agg(jsonb_build_array(g.group_type_index, g.properties)), '[]') FROM groups g
        JOIN unnest($7::smallint[], $8::text[]) AS wanted (group_type_index, group_key)
          ON wanted.group_type_index = g.group_type_index AND wanted.group_key = g.group_key
        WHERE g.project_id = $1) AS groups`,
    [definitions.projectId, distinctIds, request.distinctId, needs.hashKeys, identifying ? request.anonDistinctId : null,
      needs.cohortIds, groupIndexes, groupKeys]);
  return rows[0]!;
}

const nothingStored: StoredSubject = { properties: null, cohorts: [], hash_keys: {}, groups: [] };

/** Stored person and group properties with what the SDK sent laid over them (the SDK knows newer values). */
function subjectOf(definitions: FlagDefinitions, request: FlagsRequest, stored: StoredSubject): FlagSubject {
  const groupProperties: Record<string, PropertyValues> = Object.create(null);
  for (const [name, key] of Object.entries(request.groups)) groupProperties[name] = { $group_key: key };
  // Spread, not Object.assign: a stored "__proto__" key must stay a plain key.
  for (const [index, properties] of stored.groups) {
    const name = definitions.groupTypes.get(index)!;
    groupProperties[name] = { ...groupProperties[name], ...properties };
  }
  for (const [name, sent] of Object.entries(request.groupProperties)) {
    if (groupProperties[name]) groupProperties[name] = { ...groupProperties[name], ...sent };
  }
  return {
    distinctId: request.distinctId,
    personProperties: { distinct_id: request.distinctId, ...stored.properties, ...request.personProperties },
    groups: request.groups,
    groupProperties,
    hashKeys: new Map(Object.entries(stored.hash_keys)),
    cohortIds: new Set(stored.cohorts),
  };
}

/** The subject from the request alone, for when the database cannot be read. */
export function requestOnlySubject(definitions: FlagDefinitions, request: FlagsRequest): FlagSubject {
  return subjectOf(definitions, request, nothingStored);
}

/**
 * The subject of one /flags request, with cohort memberships and hash keys. Only the look-ups
 * the flags being evaluated need are made; flags with plain rollouts need none.
 */
export async function loadFlagSubject(db: Queryable, definitions: FlagDefinitions, request: FlagsRequest, flags: FeatureFlag[]): Promise<FlagSubject> {
  const stored = flags.filter(needsStoredData);
  if (stored.length === 0) return requestOnlySubject(definitions, request);
  const needs = {
    person: stored.some((flag) => !isGroupFlag(flag) && hasConditions(flag)),
    cohortIds: membershipCohorts(definitions, stored),
    hashKeys: continuityKeys(stored),
  };
  return subjectOf(definitions, request, await storedSubject(db, definitions, request, needs));
}
