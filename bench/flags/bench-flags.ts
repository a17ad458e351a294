import { createCohort } from '../../src/definitions/cohorts.ts';
import { createFlag } from '../../src/definitions/feature-flags.ts';
import type { Pool } from '../../src/db/pool.ts';
import { computeCohort } from '../../src/cohorts/compute-cohort.ts';
import { flagInputSchema } from '../../src/flags/flag-definition.ts';

/**
 * `count` flags of the kinds a real project mixes, in proportion: plain rollouts, person
 * property conditions, multivariate experiments, a properties cohort, a behavioural cohort
 * (membership looked up per request), experience continuity, group flags and switched-off ones.
 */
export async function createBenchFlags(pool: Pool, projectId: number, count: number): Promise<void> {
  const propertiesCohort = await createCohort(pool, projectId, { name: 'pro or enterprise', filters: { properties: { type: 'OR', values: [
    { type: 'person', key: 'plan', value: 'pro', operator: 'exact' }, { type: 'person', key: 'plan', value: 'enterprise', operator: 'exact' },
  ] } } });
  const behaviouralCohort = await createCohort(pool, projectId, { name: 'searched', filters: { properties: { type: 'AND', values: [
    { type: 'behavioral', key: 'searched', value: 'performed_event', time_value: 3650, time_interval: 'day' },
  ] } } });
  const client = await pool.connect();
  try {
    await computeCohort(client, behaviouralCohort);
  } finally {
    client.release();
  }
  const variants = [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }];
  const kinds: Array<(n: number) => object> = [
    () => ({ groups: [{ rollout_percentage: 25 }] }),
    (n) => ({ groups: [{ properties: [{ key: 'plan', value: ['pro', 'enterprise'] }], rollout_percentage: 50 + (n % 50) }] }),
    () => ({ groups: [{ properties: [{ key: 'email', value: 'example', operator: 'icontains' }] }, { rollout_percentage: 10 }] }),
    () => ({ groups: [{ rollout_percentage: 100 }], multivariate: { variants }, payloads: { control: '{"copy": "a"}', test: '{"copy": "b"}' } }),
    () => ({ groups: [{ properties: [{ type: 'cohort', key: 'id', value: propertiesCohort }] }] }),
    () => ({ groups: [{ properties: [{ type: 'cohort', key: 'id', value: behaviouralCohort }], rollout_percentage: 50 }] }),
    () => ({ aggregation_group_type_index: 0, groups: [{ rollout_percentage: 30 }] }),
  ];
  for (let n = 0; n < count; n++) {
    const continuity = n % 10 === 9;
    const input = flagInputSchema.parse({
      key: `bench-flag-${n}`,
      active: n % 25 !== 24,
      ensure_experience_continuity: continuity,
      filters: continuity ? { groups: [{ rollout_percentage: 50 }] } : kinds[n % kinds.length]!(n),
    });
    await createFlag(pool, projectId, input);
  }
}
