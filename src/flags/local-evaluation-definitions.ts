import { createHash } from 'node:crypto';
import { isCohortGroup, type CohortGroup, type CohortLeaf } from '../cohorts/cohort-definition.ts';
import type { FlagDefinitions } from './evaluate-flags.ts';

export interface LocalEvaluationBody { json: string; etag: string }

const memo = new WeakMap<FlagDefinitions, Map<boolean, LocalEvaluationBody>>();

/** Properties cohorts reachable from the flags, by id: what the SDK needs to match cohort conditions itself. */
function reachableCohorts(definitions: FlagDefinitions): Record<string, CohortGroup> {
  const out: Record<string, CohortGroup> = {};
  const add = (id: number) => {
    const cohort = definitions.cohorts.get(id);
    if (!cohort || cohort.kind !== 'properties' || String(id) in out) return;
    out[String(id)] = cohort.group;
    const visit = (item: CohortLeaf | CohortGroup) => {
      if (isCohortGroup(item)) item.values.forEach(visit);
      else if (item.type === 'cohort') add(item.value);
    };
    visit(cohort.group);
  };
  for (const flag of definitions.flags) {
    for (const condition of flag.filters.groups) {
      for (const property of condition.properties) if (property.type === 'cohort') add(property.value);
    }
  }
  return out;
}

/**
 * The body of `/flags/definitions` and `/api/feature_flag/local_evaluation`: flags in PostHog's
 * shape, the group type mapping, and (with `send_cohorts`) the cohorts an SDK can match from
 * properties. Behavioural and static cohorts are left out on purpose: the SDK then knows it
 * cannot decide such a condition and asks /flags. The ETag is a hash of the body, so it changes
 * exactly when the answer does, on every web process alike.
 */
export function localEvaluationBody(definitions: FlagDefinitions, sendCohorts: boolean): LocalEvaluationBody {
  let bodies = memo.get(definitions);
  if (!bodies) memo.set(definitions, bodies = new Map());
  const cached = bodies.get(sendCohorts);
  if (cached) return cached;
  const body = {
    flags: definitions.flags.map((flag) => ({
      id: flag.id,
      team_id: definitions.projectId,
      key: flag.key,
      name: flag.name,
      active: flag.active,
      deleted: false,
      filters: flag.filters,
      ensure_experience_continuity: flag.ensure_experience_continuity,
      version: flag.version,
    })),
    group_type_mapping: Object.fromEntries([...definitions.groupTypes].map(([index, name]) => [String(index), name])),
    cohorts: sendCohorts ? reachableCohorts(definitions) : {},
  };
  const json = JSON.stringify(body);
  const made = { json, etag: `"${createHash('sha1').update(json).digest('hex')}"` };
  bodies.set(sendCohorts, made);
  return made;
}
