import { cohortFiltersSchema, isCohortGroup, type CohortGroup, type CohortLeaf } from '../cohorts/cohort-definition.ts';
import { runQuery, type Queryable } from '../db/pool.ts';
import { flagFiltersSchema, flagOperators, type FeatureFlag } from './flag-definition.ts';
import type { FlagCohort, FlagDefinitions } from './evaluate-flags.ts';

interface FlagRow { id: number; key: string; name: string; active: boolean; filters: unknown; ensure_experience_continuity: boolean; version: number }
interface CohortRow { id: number; is_static: boolean; filters: unknown }

const flagOperatorSet = new Set<string>(flagOperators);

/** Nested cohorts a group refers to, and whether its own leaves can be matched from properties alone. */
function inspectGroup(group: CohortGroup): { propertiesOnly: boolean; nested: number[] } {
  const nested: number[] = [];
  let propertiesOnly = true;
  const visit = (item: CohortLeaf | CohortGroup) => {
    if (isCohortGroup(item)) return item.values.forEach(visit);
    if (item.type === 'cohort') nested.push(item.value);
    else if (item.type !== 'person' || !flagOperatorSet.has(item.operator)) propertiesOnly = false;
  };
  visit(group);
  return { propertiesOnly, nested };
}

/** Each cohort as evaluation decides it; a properties cohort stays one only if every cohort it nests is one too. */
function classifyCohorts(rows: CohortRow[]): Map<number, FlagCohort> {
  const inspected = new Map<number, { group: CohortGroup; propertiesOnly: boolean; nested: number[] } | undefined>();
  for (const row of rows) {
    const parsed = row.is_static ? undefined : cohortFiltersSchema.safeParse(row.filters);
    inspected.set(row.id, parsed?.success ? { group: parsed.data.properties, ...inspectGroup(parsed.data.properties) } : undefined);
  }
  const decided = new Map<number, FlagCohort>();
  const decide = (id: number, path: Set<number>): FlagCohort => {
    const known = decided.get(id);
    if (known) return known;
    const entry = inspected.get(id);
    let cohort: FlagCohort = { kind: 'membership' };
    if (entry?.propertiesOnly && !path.has(id)) {
      path.add(id);
      const nestedOk = entry.nested.every((nestedId) => inspected.has(nestedId) && decide(nestedId, path).kind === 'properties');
      path.delete(id);
      if (nestedOk) cohort = { kind: 'properties', group: entry.group };
    }
    decided.set(id, cohort);
    return cohort;
  };
  for (const id of inspected.keys()) decide(id, new Set());
  return decided;
}

/** A project's flags (active or not, never deleted), group types and cohorts, in three small queries. */
export async function loadFlagDefinitions(db: Queryable, projectId: number): Promise<FlagDefinitions> {
  const [flagRows, groupRows, cohortRows] = await Promise.all([
    runQuery<FlagRow>(db, 'flags.definitions',
      `SELECT id, key, name, active, filters, ensure_experience_continuity, version
       FROM feature_flags WHERE project_id = $1 AND NOT deleted ORDER BY id`, [projectId]),
    runQuery<{ group_type: string; group_type_index: number }>(db, 'flags.group_types',
      'SELECT group_type, group_type_index FROM group_type_mapping WHERE project_id = $1', [projectId]),
    runQuery<CohortRow>(db, 'flags.cohorts', 'SELECT id, is_static, filters FROM cohorts WHERE project_id = $1 AND NOT deleted', [projectId]),
  ]);
  const flags: FeatureFlag[] = [];
  for (const row of flagRows.rows) {
    // Rows were validated on the way in; one that no longer parses (an older schema) is skipped, not fatal.
    const filters = flagFiltersSchema.safeParse(row.filters);
    if (filters.success) flags.push({ ...row, filters: filters.data });
  }
  return {
    projectId,
    flags,
    groupTypes: new Map(groupRows.rows.map((row) => [row.group_type_index, row.group_type])),
    cohorts: classifyCohorts(cohortRows.rows),
  };
}
