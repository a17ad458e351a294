import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalApiKey } from '../src/accounts/personal-api-keys.ts';
import { createProject } from '../src/accounts/projects.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
let otherKey: string;
let otherProjectId: number;

const base = Date.parse('2026-03-02T12:00:00Z');
beforeAll(async () => {
  server = await startTestServer();
  const other = await createProject(server.db.pool, 'Other');
  otherProjectId = other.id;
  otherKey = (await createPersonalApiKey(server.db.pool, other.id)).key;
  const batch = Array.from({ length: 25 }, (_, i) => ({
    event: i % 5 === 0 ? 'purchase' : '$pageview',
    distinct_id: i < 10 ? 'alice' : 'bob',
    timestamp: new Date(base + i * 60_000).toISOString(),
    properties: { n: i, $browser: i % 2 ? 'Chrome' : 'Firefox', ...(i === 0 ? { $set: { email: 'alice@example.com' } } : {}) },
  }));
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
  expect((await sendCapture(server.url, { api_key: other.api_token, batch: [{ event: 'secret', distinct_id: 'alice' }] })).status).toBe(200);
  await server.drained();
});
afterAll(() => server.stop());

async function get(path: string, key = server.apiKey) {
  const response = await fetch(path.startsWith('http') ? path : `${server.url}/api/projects/${server.project.id}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.json() as any };
}

describe('REST API', () => {
  it('lists events newest first and pages through all of them with `next`', async () => {
    const seen: string[] = [];
    let page = await get('/events?limit=7');
    for (;;) {
      expect(page.status).toBe(200);
      seen.push(...page.body.results.map((e: { uuid: string }) => e.uuid));
      const times = page.body.results.map((e: { timestamp: string }) => Date.parse(e.timestamp));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      if (!page.body.next) break;
      page = await get(page.body.next);
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('filters by event, distinct id, person, time and properties', async () => {
    expect((await get('/events?event=purchase')).body.results).toHaveLength(5);
    expect((await get('/events?distinct_id=alice')).body.results).toHaveLength(10);
    const after = new Date(base + 19.5 * 60_000).toISOString();
    expect((await get(`/events?after=${after}`)).body.results).toHaveLength(5);
    expect((await get(`/events?before=${new Date(base + 2 * 60_000).toISOString()}`)).body.results).toHaveLength(2);
    const props = (filters: object) => `/events?properties=${encodeURIComponent(JSON.stringify(filters))}`;
    expect((await get(props([{ key: '$browser', value: 'Chrome' }]))).body.results).toHaveLength(12);
    expect((await get(props([{ key: 'n', value: 20, operator: 'gte' }]))).body.results).toHaveLength(5);
    expect((await get(props([{ key: '$browser', value: 'fire', operator: 'icontains' }, { key: 'n', value: 10, operator: 'lt' }]))).body.results).toHaveLength(5);
    expect((await get(props([{ key: 'email', value: 'alice@example.com', type: 'person' }]))).body.results).toHaveLength(10);
    expect((await get(props([{ key: 'missing', value: 'x', operator: 'is_not' }]))).body.results).toHaveLength(25);
    expect((await get(props([{ key: 'n', operator: 'is_set' }]))).body.results).toHaveLength(25);
    const person = (await get('/persons?search=alice@example')).body.results[0];
    expect(person.distinct_ids).toEqual(['alice']);
    expect((await get(`/events?person_id=${person.uuid}`)).body.results).toHaveLength(10);
    const one = (await get('/events?limit=1')).body.results[0];
    expect((await get(`/events/${one.uuid}`)).body.uuid).toBe(one.uuid);
  });

  it('rejects bad filters with 400 naming the field', async () => {
    const bad = await get('/events?properties=notjson');
    expect(bad.status).toBe(400);
    expect(bad.body.attr).toBe('properties');
    expect((await get(`/events?properties=${encodeURIComponent('[{"key":"n","value":"(","operator":"regex"}]')}`)).status).toBe(400);
    expect((await get('/events?limit=0')).status).toBe(400);
    expect((await get('/events?cursor=garbage')).status).toBe(400);
  });

  it('searches and pages persons', async () => {
    const all = await get('/persons?limit=1');
    expect(all.body.results).toHaveLength(1);
    const second = await get(all.body.next);
    expect(second.body.results).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expect((await get('/persons?search=bob')).body.results[0].distinct_ids).toEqual(['bob']);
  });

  it('401 without a valid key, 404 for another project and its rows', async () => {
    expect((await fetch(`${server.url}/api/projects/${server.project.id}/events`)).status).toBe(401);
    expect((await get('/events', 'phx_wrong')).status).toBe(401);
    expect((await get('/events', otherKey)).status).toBe(404);
    expect((await get(`${server.url}/api/projects/${otherProjectId}/events`)).status).toBe(404);
    const secret = (await get(`${server.url}/api/projects/${otherProjectId}/events`, otherKey)).body.results[0];
    expect(secret.event).toBe('secret');
    expect((await get(`/events/${secret.uuid}`)).status).toBe(404);
    const otherPerson = (await get(`${server.url}/api/projects/${otherProjectId}/persons`, otherKey)).body.results[0];
    expect((await get(`/persons/${otherPerson.uuid}`)).status).toBe(404);
    expect((await get('/events?distinct_id=alice')).body.results.every((e: { event: string }) => e.event !== 'secret')).toBe(true);
  });

  it('reports health with the buffer backlog', async () => {
    const health = await (await fetch(`${server.url}/_health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: 'ok', buffer: { rows: 0, events: 0 } });
  });
});
