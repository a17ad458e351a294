import { runQuery, type Queryable } from '../db/pool.ts';
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

function needsPerson(flags: FeatureFlag[]): boolean {
  return flags.some((flag) => flag.active && flag.filters.aggregation_group_type_index == null
    && flag.filters.groups.some((condition) => condition.properties.length > 0));
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

async function personAndCohorts(db: Queryable, projectId: number, request: FlagsRequest, cohortIds: number[]) {
  // The identified id may not have reached a worker yet right after identify; then the
  // anonymous id's person is the same person.
  const distinctIds = request.anonDistinctId ? [request.distinctId, request.anonDistinctId] : [request.distinctId];
  const { rows } = await runQuery<{ properties: PropertyValues; cohorts: number[] }>(db, 'flags.person',
    `WITH person AS (
       SELECT p.uuid, p.properties FROM person_distinct_ids d
       JOIN persons p ON p.uuid = d.person_uuid AND p.project_id = d.project_id
       WHERE d.project_id = $1 AND d.distinct_id = ANY($2::text[])
       ORDER BY d.distinct_id = $3 DESC LIMIT 1)
     SELECT person.properties,
       ARRAY(SELECT cohort_id FROM cohort_people c WHERE c.person_uuid = person.uuid AND c.cohort_id = ANY($4::int[])) AS cohorts
     FROM person`,
    [projectId, distinctIds, request.distinctId, cohortIds]);
  return rows[0];
}

async function storedGroupProperties(db: Queryable, projectId: number, definitions: FlagDefinitions, groups: Record<string, string>) {
  const indexes: number[] = [];
  const keys: string[] = [];
  for (const [index, name] of definitions.groupTypes) {
    if (groups[name] !== undefined) { indexes.push(index); keys.push(groups[name]); }
  }
  if (indexes.length === 0) return [];
  const { rows } = await runQuery<{ group_type_index: number; properties: PropertyValues }>(db, 'flags.groups',
    `SELECT g.group_type_index, g.properties FROM groups g
     JOIN unnest($2::smallint[], $3::text[]) AS wanted (group_type_index, group_key)
       ON wanted.group_type_index = g.group_type_index AND wanted.group_key = g.group_key
     WHERE g.project_id = $1`, [projectId, indexes, keys]);
  return rows;
}

/**
 * Experience continuity: the first time an identified id is seen with its anonymous id, each
 * flag that asks for continuity remembers to keep hashing the anonymous id. Existing choices are
 * never overwritten, so logging in on a second device does not reshuffle the first one.
 */
async function hashKeyOverrides(db: Queryable, projectId: number, request: FlagsRequest, flags: FeatureFlag[]): Promise<Map<string, string>> {
  const keys = flags.filter((flag) => flag.active && flag.ensure_experience_continuity).map((flag) => flag.key);
  if (keys.length === 0) return new Map();
  if (request.anonDistinctId && request.anonDistinctId !== request.distinctId) {
    await runQuery(db, 'flags.hash_key_write',
      `INSERT INTO feature_flag_hash_key_overrides (project_id, distinct_id, flag_key, hash_key)
       SELECT $1, $2, flag_key, $3 FROM unnest($4::text[]) AS flag_key
       ON CONFLICT DO NOTHING`, [projectId, request.distinctId, request.anonDistinctId, keys]);
  }
  const { rows } = await runQuery<{ flag_key: string; hash_key: string }>(db, 'flags.hash_keys',
    `SELECT flag_key, hash_key FROM feature_flag_hash_key_overrides
     WHERE project_id = $1 AND distinct_id = $2 AND flag_key = ANY($3::text[])`, [projectId, request.distinctId, keys]);
  return new Map(rows.map((row) => [row.flag_key, row.hash_key]));
}

/**
 * The subject of one /flags request: stored person and group properties with what the SDK sent
 * laid over them (the SDK knows newer values), plus cohort memberships and hash keys. Only the
 * look-ups the flags being evaluated need are made; flags with plain rollouts need none.
 */
export async function loadFlagSubject(db: Queryable, definitions: FlagDefinitions, request: FlagsRequest, flags: FeatureFlag[]): Promise<FlagSubject> {
  const cohortIds = membershipCohorts(definitions, flags);
  const [person, groupRows, hashKeys] = await Promise.all([
    needsPerson(flags) ? personAndCohorts(db, definitions.projectId, request, cohortIds) : undefined,
    flags.some((flag) => flag.active && flag.filters.aggregation_group_type_index != null)
      ? storedGroupProperties(db, definitions.projectId, definitions, request.groups) : [],
    hashKeyOverrides(db, definitions.projectId, request, flags),
  ]);
  const groupProperties: Record<string, PropertyValues> = Object.create(null);
  for (const [name, key] of Object.entries(request.groups)) groupProperties[name] = { $group_key: key };
  // Spread, not Object.assign: a stored "__proto__" key must stay a plain key.
  for (const row of groupRows) {
    const name = definitions.groupTypes.get(row.group_type_index)!;
    groupProperties[name] = { ...groupProperties[name], ...row.properties };
  }
  for (const [name, sent] of Object.entries(request.groupProperties)) {
    if (groupProperties[name]) groupProperties[name] = { ...groupProperties[name], ...sent };
  }
  return {
    distinctId: request.distinctId,
    personProperties: { distinct_id: request.distinctId, ...person?.properties, ...request.personProperties },
    groups: request.groups,
    groupProperties,
    hashKeys,
    cohortIds: new Set(person?.cohorts ?? []),
  };
}
