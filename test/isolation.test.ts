import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalApiKey } from '../src/accounts/personal-api-keys.ts';
import { createProject } from '../src/accounts/projects.ts';
import { addMember, createOrganization } from '../src/accounts/organizations.ts';
import { hashPassword } from '../src/accounts/passwords.ts';
import { insertUser } from '../src/accounts/users.ts';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { SessionClient } from './helpers/session-client.ts';
import { storedEvents } from './helpers/stored-events.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

/**
 * Project A belongs to Ada's organisation, project B to Bob's. Every REST route of the app's own
 * route table is called for A's objects with B's key, with Bob's session and with nothing.
 */
let server: TestServer;
let bobKey: string;
let bob: SessionClient;
let ada: SessionClient;
const ids: Record<string, string> = {};

async function asA(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}/api/projects/${server.project.id}${path}`, {
    method, headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = await response.json() as any;
  expect(response.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

beforeAll(async () => {
  server = await startTestServer();
  ada = new SessionClient(server.url);
  expect((await ada.post('/api/auth/signup', { email: 'ada@a.example', password: 'password of ada', organization_name: 'A' })).status).toBe(201);
  const organizationB = await createOrganization(server.db.pool, 'B');
  const userB = await insertUser(server.db.pool, { email: 'bob@b.example', name: 'Bob', passwordHash: await hashPassword('password of bob') });
  await addMember(server.db.pool, organizationB, userB.id, 'admin');
  const projectB = await createProject(server.db.pool, 'B project', organizationB);
  bobKey = (await createPersonalApiKey(server.db.pool, projectB.id)).key;
  bob = new SessionClient(server.url);
  expect((await bob.post('/api/auth/login', { email: 'bob@b.example', password: 'password of bob' })).status).toBe(200);

  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch: [{ event: '$pageview', distinct_id: 'a-user', properties: { $set: { plan: 'pro' } } }] })).status).toBe(200);
  await server.drained();
  const [stored] = await storedEvents(server);
  const { rows: [person] } = await runQuery<{ uuid: string }>(server.db.pool, 'test', "SELECT person_uuid::text AS uuid FROM person_distinct_ids WHERE distinct_id = 'a-user'");
  const state = (await ada.get('/api/auth/state')).body;
  const insight = await asA('POST', '/insights', { name: 'A insight', filters: { insight: 'TRENDS', events: [{ id: '$pageview' }] } });
  const dashboard = await asA('POST', '/dashboards', { name: 'A board' });
  const tile = await asA('POST', `/dashboards/${dashboard.id}/tiles`, { insight_id: insight.id });
  const action = await asA('POST', '/actions', { name: 'A action', steps: [{ event: '$pageview' }] });
  const cohort = await asA('POST', '/cohorts', { name: 'A cohort', csv: 'distinct_id\na-user\n' });
  const flag = await asA('POST', '/feature_flags', { key: 'a-flag', filters: { groups: [{ rollout_percentage: 100 }] } });
  const key = (await ada.post(`/api/projects/${server.project.id}/personal_api_keys`, { label: 'A key' })).body;
  const invite = (await ada.post(`/api/organizations/${state.organizations[0].id}/invites`, { email: 'new@a.example' })).body;
  Object.assign(ids, {
    projectId: String(server.project.id), insightId: String(insight.id), dashboardId: String(dashboard.id), tileId: String(tile.id),
    actionId: String(action.id), cohortId: String(cohort.id), flagId: String(flag.id), keyId: String(key.id),
    organizationId: String(state.organizations[0].id), userId: String(state.user.id), inviteId: String(invite.id),
    eventUuid: stored!.uuid, personUuid: person!.uuid,
  });
});
afterAll(() => server.stop());

/** A's id for each URL parameter; `:uuid` is an event's or a person's, by route. */
function fill(url: string): string {
  return url.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'uuid') return url.includes('/persons/') ? ids.personUuid! : ids.eventUuid!;
    const value = ids[name];
    if (value === undefined) throw new Error(`no id for :${name} in ${url}: add one to the isolation test`);
    return value;
  });
}

// Routes whose secret is in the URL (a share link, an invite) or that are public by design.
const capabilityRoutes = /^\/api\/(auth|shared|invites)\/|^\/api\/feature_flag\/local_evaluation/;

describe('project isolation, walked over the route table', () => {
  it('answers 404 or 401 on every REST route to another project\'s key, another organisation\'s user and nobody', async () => {
    const routes = server.app.routeTable.filter((route) => route.url.startsWith('/api/') && !capabilityRoutes.test(route.url) && route.method !== 'HEAD' && route.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(50);
    const failures: string[] = [];
    for (const route of routes) {
      const path = fill(route.url);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const withKey = await fetch(`${server.url}${path}`, { method: route.method, headers: { authorization: `Bearer ${bobKey}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body && '{}' });
      const withSession = await bob.request(route.method, path, body);
      const anonymous = await fetch(`${server.url}${path}`, { method: route.method, headers: body ? { 'content-type': 'application/json' } : {}, body: body && '{}' });
      // Organisation routes take sessions only, so a key is not authenticated there (401).
      if (![401, 404].includes(withKey.status)) failures.push(`${route.method} ${route.url} with B's key: ${withKey.status}`);
      if (withSession.status !== 404) failures.push(`${route.method} ${route.url} with B's session: ${withSession.status}`);
      if (anonymous.status !== 401) failures.push(`${route.method} ${route.url} with nothing: ${anonymous.status}`);
    }
    expect(failures).toEqual([]);
    console.log(`isolation: ${routes.length} routes × 3 callers, every answer 404 or 401`);

    // Nothing of A's was changed or deleted by all that.
    for (const path of [`/insights/${ids.insightId}`, `/dashboards/${ids.dashboardId}`, `/actions/${ids.actionId}`, `/cohorts/${ids.cohortId}`, `/feature_flags/${ids.flagId}`]) {
      await asA('GET', path);
    }
    expect((await ada.get(`/api/projects/${ids.projectId}/personal_api_keys`)).body.results.map((k: { label: string }) => k.label)).toContain('A key');
    expect((await ada.get(`/api/organizations/${ids.organizationId}/members`)).body.results).toHaveLength(1);
  });

  it('answers 404 to share and invite tokens that are not real', async () => {
    expect((await fetch(`${server.url}/api/shared/dashboards/${'a'.repeat(40)}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/invites/${'a'.repeat(40)}`)).status).toBe(404);
    expect((await bob.post(`/api/invites/${'a'.repeat(40)}/accept`, {})).status).toBe(404);
  });
});
