import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCohort, refreshStaleCohorts } from '../src/cohorts/compute-cohort.ts';
import { runQuery } from '../src/db/pool.ts';
import { createCohort } from '../src/definitions/cohorts.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
const now = Date.now();
const ago = (days: number) => new Date(now - days * 86_400_000).toISOString();

async function capture(batch: object[]) {
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
  await server.drained();
}

beforeAll(async () => {
  server = await startTestServer();
  await capture([
    { event: '$identify', distinct_id: 'amy', timestamp: ago(40), properties: { $set: { plan: 'pro', country: 'NZ' } } },
    { event: 'purchase', distinct_id: 'amy', timestamp: ago(2) },
    { event: 'purchase', distinct_id: 'amy', timestamp: ago(1) },
    { event: 'purchase', distinct_id: 'bo', timestamp: ago(3) },
    { event: 'purchase', distinct_id: 'bo', timestamp: ago(45) },
    { event: '$identify', distinct_id: 'cy', timestamp: ago(5), properties: { $set: { plan: 'free' } } },
    { event: '$pageview', distinct_id: 'anon-cy', timestamp: ago(5) },
  ]);
});
afterAll(() => server.stop());

async function members(cohortId: number): Promise<string[]> {
  const { rows } = await runQuery<{ distinct_id: string }>(server.db.pool, 'test.members',
    `SELECT pdi.distinct_id FROM cohort_people cp JOIN person_distinct_ids pdi ON pdi.person_uuid = cp.person_uuid
     WHERE cp.cohort_id = $1 ORDER BY 1`, [cohortId]);
  return rows.map((row) => row.distinct_id);
}

async function cohortOf(properties: object): Promise<number> {
  const id = await createCohort(server.db.pool, server.project.id, { name: 'c', filters: { properties } });
  const client = await server.db.pool.connect();
  try {
    await computeCohort(client, id, new Date(), server.clickhouse);
  } finally {
    client.release();
  }
  return id;
}

describe('cohorts', () => {
  it('match behaviour within a time window, with counts, negation and person properties', async () => {
    const recent = { type: 'behavioral', key: 'purchase', value: 'performed_event', time_value: 30, time_interval: 'day' };
    expect(await members(await cohortOf({ type: 'AND', values: [recent] }))).toEqual(['amy', 'bo']);
    expect(await members(await cohortOf({ type: 'AND', values: [{ ...recent, value: 'performed_event_multiple', operator: 'gte', operator_value: 2 }] }))).toEqual(['amy']);
    expect(await members(await cohortOf({ type: 'AND', values: [{ ...recent, value: 'performed_event_multiple', operator: 'lte', operator_value: 1 }] }))).toEqual(['anon-cy', 'bo', 'cy']);
    expect(await members(await cohortOf({ type: 'AND', values: [{ ...recent, negation: true }] }))).toEqual(['anon-cy', 'cy']);
    expect(await members(await cohortOf({ type: 'OR', values: [{ type: 'person', key: 'plan', value: 'free' }, { type: 'person', key: 'country', value: 'NZ' }] }))).toEqual(['amy', 'cy']);
  });

  it('nest other cohorts, and a static cohort follows its persons through a merge', async () => {
    const pro = await cohortOf({ type: 'AND', values: [{ type: 'person', key: 'plan', value: 'pro' }] });
    expect(await members(await cohortOf({ type: 'AND', values: [{ type: 'cohort', key: 'id', value: pro }] }))).toEqual(['amy']);
    const listed = await createCohort(server.db.pool, server.project.id, { name: 'listed', distinctIds: ['anon-cy'] });
    const client = await server.db.pool.connect();
    try {
      await computeCohort(client, listed, new Date(), server.clickhouse);
      expect(await members(listed)).toEqual(['anon-cy']);
      // cy identifies with anon-cy's id: the two persons merge, and the list now means the merged person.
      await capture([{ event: '$identify', distinct_id: 'cy', timestamp: ago(0), properties: { $anon_distinct_id: 'anon-cy' } }]);
      await computeCohort(client, listed, new Date(), server.clickhouse);
      expect(await members(listed)).toEqual(['anon-cy', 'cy']);
    } finally {
      client.release();
    }
  });

  it('are recomputed by the maintenance pass once stale, by one process at a time', async () => {
    const buyers = await cohortOf({ type: 'AND', values: [{ type: 'behavioral', key: 'refund', value: 'performed_event', time_value: 7, time_interval: 'day' }] });
    expect(await members(buyers)).toEqual([]);
    await capture([{ event: 'refund', distinct_id: 'bo', timestamp: ago(0) }]);
    const client = await server.db.pool.connect();
    try {
      expect(await refreshStaleCohorts(client, 3600, server.clickhouse)).not.toContain(buyers);
      await runQuery(server.db.pool, 'test.age', "UPDATE cohorts SET last_calculated_at = now() - interval '2 hours' WHERE id = $1", [buyers]);
      const other = await server.db.pool.connect();
      try {
        await other.query('SELECT pg_advisory_lock(7262019004)');
        expect(await refreshStaleCohorts(client, 3600, server.clickhouse)).toEqual([]);
        await other.query('SELECT pg_advisory_unlock(7262019004)');
      } finally {
        other.release();
      }
      expect(await refreshStaleCohorts(client, 3600, server.clickhouse)).toContain(buyers);
      expect(await members(buyers)).toEqual(['bo']);
    } finally {
      client.release();
    }
  });

  it('filter the events list, as they filter insights', async () => {
    const pro = await cohortOf({ type: 'AND', values: [{ type: 'person', key: 'plan', value: 'pro' }] });
    const list = async (properties: object[]) => {
      const query = new URLSearchParams({ event: 'purchase', properties: JSON.stringify(properties) });
      const response = await fetch(`${server.url}/api/projects/${server.project.id}/events?${query}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { results: Array<{ distinct_id: string }> }).results.map((event) => event.distinct_id).sort();
    };
    expect(await list([{ type: 'cohort', key: 'id', value: pro }])).toEqual(['amy', 'amy']);
    expect(await list([{ type: 'cohort', key: 'id', value: pro, operator: 'is_not' }])).toEqual(['bo', 'bo']);
  });
});
