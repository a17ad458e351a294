import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalApiKey } from '../src/accounts/personal-api-keys.ts';
import { createProject } from '../src/accounts/projects.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
let otherKey: string;

beforeAll(async () => {
  server = await startTestServer();
  const other = await createProject(server.db.pool, 'Other');
  otherKey = (await createPersonalApiKey(server.db.pool, other.id)).key;
  const now = Date.now();
  const batch = ['$pageview', 'signed up', '$pageview', 'purchase', 'zeta event', '$pageview'].map((event, i) => ({
    event, distinct_id: `user-${i % 2}`, timestamp: new Date(now - i * 60_000).toISOString(),
    properties: { $browser: i % 2 ? 'Firefox' : 'Chrome', plan: i < 3 ? 'pro' : 'free', ...(i === 0 ? { $set: { email: 'a@example.com' } } : {}) },
  }));
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
  expect((await sendCapture(server.url, { api_key: other.api_token, batch: [{ event: 'secret event', distinct_id: 'x', properties: { secret_key: 1 } }] })).status).toBe(200);
  await server.drained();
});
afterAll(() => server.stop());

async function call(method: string, path: string, body?: unknown, key = server.apiKey) {
  const response = await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => undefined) as any };
}

describe('what the web app reads', () => {
  const base = () => `/api/projects/${server.project.id}`;

  it('suggests event names, property keys and values from this project only', async () => {
    expect((await call('GET', `${base()}/event_names`)).body.results).toEqual(['$pageview', 'purchase', 'signed up', 'zeta event']);
    const keys = (await call('GET', `${base()}/property_keys`)).body.results;
    expect(keys).toEqual(expect.arrayContaining(['$browser', 'plan']));
    expect(keys).not.toContain('secret_key');
    expect((await call('GET', `${base()}/property_keys?type=person`)).body.results).toEqual(['email']);
    expect((await call('GET', `${base()}/property_values?key=plan`)).body.results).toEqual(['free', 'pro']);
    expect((await call('GET', `${base()}/property_values?key=email&type=person`)).body.results).toEqual(['a@example.com']);
    expect((await call('GET', `${base()}/property_values`)).body.attr).toBe('key');
    expect((await call('GET', `${base()}/event_names`, undefined, otherKey)).status).toBe(404);
  });

  it('shares a dashboard read-only by link, and revokes it', async () => {
    const insight = await call('POST', `${base()}/insights`, { name: 'Views', filters: { insight: 'TRENDS', events: [{ id: '$pageview' }], date_from: '-7d', display: 'BoldNumber' } });
    const dashboard = await call('POST', `${base()}/dashboards`, { name: 'Board' });
    expect((await call('POST', `${base()}/dashboards/${dashboard.body.id}/tiles`, { insight_id: insight.body.id, layout: { wide: true } })).status).toBe(201);
    expect(dashboard.body.share_token).toBeNull();

    expect((await call('POST', `${base()}/dashboards/${dashboard.body.id}/sharing`, { enabled: true }, otherKey)).status).toBe(404);
    const shared = await call('POST', `${base()}/dashboards/${dashboard.body.id}/sharing`, { enabled: true });
    const token = shared.body.share_token as string;
    expect(token.length).toBeGreaterThan(30);

    const view = await fetch(`${server.url}/api/shared/dashboards/${token}`);
    const body = await view.json() as any;
    expect(view.status).toBe(200);
    expect(body.name).toBe('Board');
    expect(body.share_token).toBeUndefined();
    expect(body.project_id).toBeUndefined();
    expect(body.tiles).toHaveLength(1);
    expect(body.tiles[0].layout).toEqual({ wide: true });
    expect(body.tiles[0].insight.result[0].aggregated_value).toBe(3);

    await call('POST', `${base()}/dashboards/${dashboard.body.id}/sharing`, { enabled: false });
    const revoked = await fetch(`${server.url}/api/shared/dashboards/${token}`);
    expect(revoked.status).toBe(404);
    expect(((await revoked.json()) as { detail: string }).detail).toMatch(/revoked/);
    expect((await fetch(`${server.url}/api/shared/dashboards/${'x'.repeat(40)}`)).status).toBe(404);
  });
});
