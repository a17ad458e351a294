import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { PersonState } from '../src/ingestion/person-state.ts';
import { linkPersonlessIds, recordPersonlessIds } from '../src/ingestion/write-personless.ts';
import { PersonConflictError } from '../src/ingestion/write-persons.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.stop());

let clock = Date.parse('2026-01-05T10:00:00Z');
const event = (name: string, distinctId: string, properties: Record<string, unknown> = {}) =>
  ({ event: name, distinct_id: distinctId, properties, timestamp: new Date(clock += 1000).toISOString() });

async function send(...events: object[]) {
  const result = await sendCapture(server.url, { api_key: server.project.api_token, batch: events });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  await server.drained();
}

async function personOf(distinctId: string) {
  const { rows } = await runQuery<{ uuid: string; properties: Record<string, unknown>; is_identified: boolean; created_at: Date; ids: string[] }>(server.db.pool, 'test.person',
    `SELECT p.uuid::text, p.properties, p.is_identified, p.created_at,
       ARRAY(SELECT distinct_id FROM person_distinct_ids d WHERE d.person_uuid = p.uuid ORDER BY 1) AS ids
     FROM person_distinct_ids pdi JOIN persons p ON p.uuid = pdi.person_uuid
     WHERE pdi.project_id = $1 AND pdi.distinct_id = $2`, [server.project.id, distinctId]);
  return rows[0];
}

async function eventPersonIds(distinctId: string): Promise<string[]> {
  const { rows } = await runQuery<{ person: string }>(server.db.pool, 'test.event_persons',
    `SELECT coalesce(o.override_person_uuid, e.person_id)::text AS person FROM events e
     LEFT JOIN person_overrides o ON o.project_id = e.project_id AND o.old_person_uuid = e.person_id
     WHERE e.project_id = $1 AND e.distinct_id = $2`, [server.project.id, distinctId]);
  return rows.map((row) => row.person);
}

describe('persons', () => {
  it('creates a person on first sight and applies $set, $set_once and $unset in order', async () => {
    await send(
      event('$pageview', 'p1', { $set: { plan: 'free', color: 'red' }, $set_once: { first_url: '/a' } }),
      event('$pageview', 'p1', { $set: { plan: 'pro' }, $set_once: { first_url: '/b' } }),
    );
    await send({ ...event('$set', 'p1', { $unset: ['color'] }) }, { event: '$pageview', distinct_id: 'p1', $set: { top_level: true } });
    const person = await personOf('p1');
    expect(person!.properties).toEqual({ plan: 'pro', first_url: '/a', top_level: true });
    expect(person!.is_identified).toBe(false);
  });

  it('$identify gives an anonymous person its identified id', async () => {
    await send(event('$pageview', 'anon-a'), event('$identify', 'user-a', { $anon_distinct_id: 'anon-a', $set: { email: 'a@x.io' } }));
    const person = await personOf('user-a');
    expect(person!.ids).toEqual(['anon-a', 'user-a']);
    expect(person!.is_identified).toBe(true);
    expect(await eventPersonIds('anon-a')).toEqual([person!.uuid]);
  });

  it('merges two existing persons: oldest created_at, survivor properties win, all ids and events follow', async () => {
    await send(event('$pageview', 'anon-m', { $set: { source: 'ad', plan: 'anon-plan' } }));
    await send(event('$pageview', 'user-m', { $set: { plan: 'paid' } }));
    const anon = await personOf('anon-m');
    await send(event('$identify', 'user-m', { $anon_distinct_id: 'anon-m' }));
    const merged = await personOf('user-m');
    expect(merged!.ids).toEqual(['anon-m', 'user-m']);
    expect(merged!.properties).toEqual({ source: 'ad', plan: 'paid' });
    expect(merged!.created_at.getTime()).toBe(anon!.created_at.getTime());
    const { rows } = await runQuery(server.db.pool, 'test.gone', 'SELECT 1 FROM persons WHERE uuid = $1', [anon!.uuid]);
    expect(rows).toHaveLength(0);
    expect(new Set([...(await eventPersonIds('anon-m')), ...(await eventPersonIds('user-m'))])).toEqual(new Set([merged!.uuid]));
    const api = await fetch(`${server.url}/api/projects/${server.project.id}/persons/${anon!.uuid}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    expect(((await api.json()) as { uuid: string }).uuid).toBe(merged!.uuid);
  });

  it('does not merge an already identified person into another through $identify', async () => {
    await send(event('$identify', 'user-x', { $anon_distinct_id: 'anon-x' }), event('$identify', 'user-y', { $anon_distinct_id: 'anon-y' }));
    await send(event('$identify', 'user-y', { $anon_distinct_id: 'user-x' }));
    expect((await personOf('user-x'))!.uuid).not.toBe((await personOf('user-y'))!.uuid);
  });

  it('$create_alias: new ids, one known id, and two known persons', async () => {
    await send(event('$create_alias', 'al-1', { alias: 'al-2' }));
    expect((await personOf('al-1'))!.ids).toEqual(['al-1', 'al-2']);
    await send(event('$create_alias', 'al-1', { alias: 'al-3' }));
    expect((await personOf('al-3'))!.ids).toEqual(['al-1', 'al-2', 'al-3']);
    await send(event('$pageview', 'al-9'));
    await send(event('$create_alias', 'al-1', { alias: 'al-9' }));
    expect((await personOf('al-9'))!.ids).toEqual(['al-1', 'al-2', 'al-3', 'al-9']);
  });

  it('chains merges inside one batch', async () => {
    await send(event('$pageview', 'c1'), event('$pageview', 'c2'), event('$pageview', 'c3'));
    await send(event('$create_alias', 'c2', { alias: 'c1' }), event('$create_alias', 'c3', { alias: 'c2' }), event('$pageview', 'c1'));
    const person = await personOf('c3');
    expect(person!.ids).toEqual(['c1', 'c2', 'c3']);
    expect(new Set([...(await eventPersonIds('c1')), ...(await eventPersonIds('c2'))])).toEqual(new Set([person!.uuid]));
  });

  it('never creates or merges persons for illegal distinct ids', async () => {
    await send(event('$pageview', 'anonymous'), event('$pageview', 'null'), event('$identify', 'legit', { $anon_distinct_id: 'undefined' }),
      event('$create_alias', 'legit', { alias: 'NaN' }), event('$pageview', '[object Object]'));
    for (const id of ['anonymous', 'null', 'undefined', 'NaN', '[object Object]']) expect(await personOf(id)).toBeUndefined();
    expect((await personOf('legit'))!.ids).toEqual(['legit']);
    const { rows } = await runQuery(server.db.pool, 'test.events', "SELECT 1 FROM events WHERE distinct_id IN ('anonymous', 'null', '[object Object]')");
    expect(rows).toHaveLength(3);
  });

  it('one person sending on two connections at once ends as one person with every event', async () => {
    const batches = [0, 1].map((connection) => Array.from({ length: 50 }, (_, i) =>
      event(i === 25 ? '$identify' : '$pageview', 'race-user', { $anon_distinct_id: 'race-anon', $set: { [`c${connection}`]: i } })));
    const first = [event('$pageview', 'race-anon')];
    await send(...first);
    const results = await Promise.all(batches.map((batch) => sendCapture(server.url, { api_key: server.project.api_token, batch })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await server.drained();
    const person = await personOf('race-user');
    expect(person!.ids).toEqual(['race-anon', 'race-user']);
    expect(person!.properties).toEqual({ c0: 49, c1: 49 });
    const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.count', "SELECT count(*)::int AS n FROM events WHERE distinct_id = 'race-user'");
    expect(rows[0]!.n).toBe(100);
    const { rows: persons } = await runQuery<{ n: number }>(server.db.pool, 'test.count',
      "SELECT count(DISTINCT person_uuid)::int AS n FROM person_distinct_ids WHERE distinct_id LIKE 'race-%'");
    expect(persons[0]!.n).toBe(1);
  });

  it('a client retry of a stored event is stored once and does not re-apply its $set', async () => {
    const first = { ...event('$pageview', 'retry-user', { $set: { plan: 'a' } }), uuid: '0190c2b4-1111-7000-8000-000000000001' };
    await send(first);
    await send(event('$pageview', 'retry-user', { $set: { plan: 'b' } }));
    await send(first, event('$pageview', 'retry-user'));
    expect((await personOf('retry-user'))!.properties).toEqual({ plan: 'b' });
    const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.count', "SELECT count(*)::int AS n FROM events WHERE distinct_id = 'retry-user'");
    expect(rows[0]!.n).toBe(3);
  });

  it('stores $groupidentify as a group, not a person', async () => {
    await send(event('$groupidentify', '$company_g1', { $group_type: 'company', $group_key: 'g1', $group_set: { name: 'G1' } }));
    await send(event('$groupidentify', '$company_g1', { $group_type: 'company', $group_key: 'g1', $group_set: { size: 3 } }));
    const { rows } = await runQuery<{ properties: object }>(server.db.pool, 'test.group', "SELECT properties FROM groups WHERE group_key = 'g1'");
    expect(rows).toEqual([{ properties: { name: 'G1', size: 3 } }]);
    expect(await personOf('$company_g1')).toBeUndefined();
  });

  describe('events sent without a person profile', () => {
    const personless = (name: string, distinctId: string) => event(name, distinctId, { $process_person_profile: false });

    async function funnelCount(first: string, second: string): Promise<number[]> {
      const response = await fetch(`${server.url}/api/projects/${server.project.id}/query`, {
        method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'FunnelsQuery', series: [{ kind: 'EventsNode', event: first }, { kind: 'EventsNode', event: second }],
          dateRange: { date_from: '2026-01-01', date_to: '2026-01-31' } }),
      });
      const body = await response.json() as { results: Array<{ count: number }> };
      return body.results.map((step) => step.count);
    }

    it('join the person their id is later identified as (posthog-js identified_only)', async () => {
      await send(personless('$pageview', 'pl-anon'), personless('viewed pricing', 'pl-anon'));
      expect(await personOf('pl-anon')).toBeUndefined();
      await send(event('$identify', 'pl-user', { $anon_distinct_id: 'pl-anon' }), event('pl purchase', 'pl-user'));
      const person = await personOf('pl-user');
      expect(person!.ids).toEqual(['pl-anon', 'pl-user']);
      expect(await eventPersonIds('pl-anon')).toEqual([person!.uuid, person!.uuid]);
      expect(await funnelCount('viewed pricing', 'pl purchase')).toEqual([1, 1]);
    });

    it('join it in the same batch too, and when the id was merged into an existing person', async () => {
      await send(personless('pl2 view', 'pl2-anon'), event('$identify', 'pl2-user', { $anon_distinct_id: 'pl2-anon' }));
      expect(new Set(await eventPersonIds('pl2-anon'))).toEqual(new Set([(await personOf('pl2-user'))!.uuid]));

      await send(event('$pageview', 'pl3-user', { $set: { plan: 'pro' } }));
      await send(personless('pl3 view', 'pl3-anon'));
      await send(event('$identify', 'pl3-user', { $anon_distinct_id: 'pl3-anon' }));
      const merged = await personOf('pl3-user');
      expect(await eventPersonIds('pl3-anon')).toEqual([merged!.uuid]);
      await send(event('$pageview', 'pl3-other'));
      await send(event('$create_alias', 'pl3-other', { alias: 'pl3-user' }));
      expect(await eventPersonIds('pl3-anon')).toEqual([(await personOf('pl3-other'))!.uuid]);
    });

    it('of an id that already has a person count as that person and leave its properties alone', async () => {
      await send(event('$pageview', 'pl4', { $set: { plan: 'free' } }));
      await send({ ...personless('pl4 view', 'pl4'), properties: { $process_person_profile: false, $set: { plan: 'hacked' } } });
      const person = await personOf('pl4');
      expect(await eventPersonIds('pl4')).toEqual([person!.uuid, person!.uuid]);
      expect(person!.properties).toEqual({ plan: 'free' });
    });

    it('stored by one worker while another joins their id to a person: the first waits and takes the person', async () => {
      const pool = server.db.pool;
      const projectId = server.project.id;
      const linker = await pool.connect();
      const recorder = await pool.connect();
      try {
        await linker.query('BEGIN');
        const person = '0190c2b4-2222-7000-8000-000000000001';
        await linker.query("INSERT INTO persons (uuid, project_id, properties, is_identified, created_at, version) VALUES ($1, $2, '{}', true, now(), 0)", [person, projectId]);
        await linker.query('INSERT INTO person_distinct_ids (project_id, distinct_id, person_uuid) VALUES ($1, $2, $3)', [projectId, 'pl5-anon', person]);
        await linkPersonlessIds(linker, [{ projectId, distinctId: 'pl5-anon', personUuid: person, claimed: true }]);

        await recorder.query('BEGIN');
        const state = new PersonState();
        state.markPersonless(projectId, 'pl5-anon');
        const recording = recordPersonlessIds(recorder, state).then(() => 'recorded', (error) => error);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await linker.query('COMMIT');
        expect(await recording).toBeInstanceOf(PersonConflictError);
      } finally {
        await recorder.query('ROLLBACK');
        await linker.query('ROLLBACK').catch(() => undefined);
        linker.release();
        recorder.release();
      }
    });

    it('recorded first are linked by a worker that joins their id a moment later', async () => {
      const pool = server.db.pool;
      const projectId = server.project.id;
      const recorder = await pool.connect();
      const linker = await pool.connect();
      const person = '0190c2b4-2222-7000-8000-000000000002';
      try {
        await recorder.query('BEGIN');
        const state = new PersonState();
        state.markPersonless(projectId, 'pl6-anon');
        await recordPersonlessIds(recorder, state);

        await linker.query('BEGIN');
        await linker.query("INSERT INTO persons (uuid, project_id, properties, is_identified, created_at, version) VALUES ($1, $2, '{}', true, now(), 0)", [person, projectId]);
        await linker.query('INSERT INTO person_distinct_ids (project_id, distinct_id, person_uuid) VALUES ($1, $2, $3)', [projectId, 'pl6-anon', person]);
        const linking = linkPersonlessIds(linker, [{ projectId, distinctId: 'pl6-anon', personUuid: person, claimed: true }]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await recorder.query('COMMIT');
        await linking;
        await linker.query('COMMIT');
      } finally {
        await recorder.query('ROLLBACK').catch(() => undefined);
        await linker.query('ROLLBACK').catch(() => undefined);
        recorder.release();
        linker.release();
      }
      const { rows } = await runQuery<{ target: string }>(pool, 'test.override',
        'SELECT override_person_uuid::text AS target FROM person_overrides WHERE project_id = $1 AND old_person_uuid = md5($2)::uuid', [projectId, 'pl6-anon']);
      expect(rows).toEqual([{ target: person }]);
    });
  });
});
