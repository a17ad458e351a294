import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { SessionClient } from './helpers/session-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
const admin = { email: 'Ada@Example.com', password: 'correct horse battery', name: 'Ada', organization_name: 'Analytical Engines' };

beforeAll(async () => {
  server = await startTestServer({ worker: false, loginLimit: { attempts: 3, windowSeconds: 60 } });
});
afterAll(() => server.stop());

describe('accounts', () => {
  let ada: SessionClient;

  it('asks the first visitor to set up, and makes them the admin of the projects that exist', async () => {
    const visitor = new SessionClient(server.url);
    const state = await visitor.get('/api/auth/state');
    expect(state.body).toMatchObject({ setup_required: true, user: null, csrf_token: null });

    expect((await visitor.post('/api/auth/signup', { ...admin, password: 'short' })).body).toMatchObject({ code: 'invalid_input', attr: 'password' });
    expect((await visitor.post('/api/auth/signup', { ...admin, email: 'not-an-email' })).body.attr).toBe('email');

    ada = new SessionClient(server.url);
    const signUp = await ada.post('/api/auth/signup', admin);
    expect(signUp.status).toBe(201);
    expect(signUp.setCookie).toMatch(/^sounder_session=[^;]+;.*HttpOnly/i);
    expect(signUp.setCookie).toMatch(/SameSite=Lax/i);
    const me = await ada.get('/api/auth/state');
    expect(me.body).toMatchObject({ setup_required: false, user: { email: admin.email, name: 'Ada' } });
    expect(me.body.organizations).toEqual([{ id: expect.any(Number), name: 'Analytical Engines', role: 'admin', projects: [{ id: server.project.id, name: 'Test project' }] }]);

    const { rows } = await runQuery<{ password_hash: string }>(server.db.pool, 'test', 'SELECT password_hash FROM users');
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]!.password_hash).not.toContain(admin.password);

    const second = await new SessionClient(server.url).post('/api/auth/signup', { ...admin, email: 'eve@example.com' });
    expect(second.status).toBe(403);
    expect(second.body.detail).toMatch(/already has an admin/);
  });

  it('reaches the project by session; a write without the CSRF token is refused', async () => {
    expect((await ada.get(`/api/projects/${server.project.id}`)).body.api_token).toBe(server.project.api_token);
    const forged = await ada.request('PATCH', `/api/projects/${server.project.id}`, { name: 'Renamed' }, { csrf: false });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('csrf_failed');
    const wrong = await fetch(`${server.url}/api/projects/${server.project.id}`, {
      method: 'PATCH', headers: { cookie: ada.cookie!, 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(40) }, body: '{"name":"Renamed"}',
    });
    expect(wrong.status).toBe(403);
    expect((await ada.patch(`/api/projects/${server.project.id}`, { name: 'Renamed' })).body.name).toBe('Renamed');
    expect((await new SessionClient(server.url).get(`/api/projects/${server.project.id}`)).status).toBe(401);
  });

  it('logs in with any letter case of the email, refuses a wrong password, and logs out', async () => {
    const again = new SessionClient(server.url);
    expect((await again.post('/api/auth/login', { email: 'ada@example.com', password: 'wrong password' })).status).toBe(401);
    const login = await again.post('/api/auth/login', { email: 'ada@EXAMPLE.com', password: admin.password });
    expect(login.status).toBe(200);
    expect(login.body.user.email).toBe(admin.email);
    expect((await again.get(`/api/projects/${server.project.id}`)).status).toBe(200);
    const cookie = again.cookie!;
    expect((await again.post('/api/auth/logout', {}, { csrf: false })).status).toBe(403);
    expect((await again.post('/api/auth/logout')).status).toBe(204);
    const reused = await fetch(`${server.url}/api/projects/${server.project.id}`, { headers: { cookie } });
    expect(reused.status).toBe(401);
  });

  it('limits failed logins per email (429 with Retry-After), for the right password too, across letter case', async () => {
    const guesser = new SessionClient(server.url);
    for (let i = 0; i < 3; i++) expect((await guesser.post('/api/auth/login', { email: 'ADA@example.com', password: `guess ${i}` })).status).toBe(401);
    const limited = await guesser.post('/api/auth/login', { email: 'ada@example.com', password: admin.password });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.code).toBe('rate_limited');
    // Another address is not affected.
    expect((await guesser.post('/api/auth/login', { email: 'bob@example.com', password: 'x' })).status).toBe(401);
    await runQuery(server.db.pool, 'test', "UPDATE login_failures SET window_started_at = now() - interval '61 seconds'");
    expect((await guesser.post('/api/auth/login', { email: 'ada@example.com', password: admin.password })).status).toBe(200);
  });

  it('invites a member, who joins with the link once; members cannot invite', async () => {
    const state = await ada.get('/api/auth/state');
    const organizationId = state.body.organizations[0].id;
    const invite = await ada.post(`/api/organizations/${organizationId}/invites`, { email: 'grace@example.com', role: 'member' });
    expect(invite.status).toBe(201);
    const anonymous = new SessionClient(server.url);
    expect((await anonymous.get(`/api/invites/${invite.body.token}`)).body).toEqual({ organization_name: 'Analytical Engines', email: 'grace@example.com', role: 'member', user_exists: false });
    const grace = new SessionClient(server.url);
    expect((await grace.post(`/api/invites/${invite.body.token}/accept`, { name: 'Grace' })).body.attr).toBe('password');
    const accepted = await grace.post(`/api/invites/${invite.body.token}/accept`, { name: 'Grace', password: 'compilers are fun' });
    expect(accepted.status).toBe(200);
    expect((await grace.get(`/api/projects/${server.project.id}`)).status).toBe(200);
    expect((await new SessionClient(server.url).post(`/api/invites/${invite.body.token}/accept`, { password: 'another password' })).status).toBe(404);

    expect((await grace.post(`/api/organizations/${organizationId}/invites`, { email: 'x@example.com' })).status).toBe(403);
    // The events table's partitions are the whole install's: its admins see them, members do not.
    expect((await grace.get('/api/auth/state')).body.instance_admin).toBe(false);
    expect((await grace.get('/api/instance/partitions')).status).toBe(404);
    expect(state.body.instance_admin).toBe(true);
    const partitions = await ada.get('/api/instance/partitions');
    expect(partitions.status).toBe(200);
    expect(partitions.body.tables.map((table: { table: string }) => table.table)).toContain('events');
    expect((await grace.post(`/api/organizations/${organizationId}/projects`, { name: 'Mine' })).status).toBe(403);
    const members = await grace.get(`/api/organizations/${organizationId}/members`);
    expect(members.body.results.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([[admin.email, 'admin'], ['grace@example.com', 'member']]);

    const graceId = members.body.results[1].user_id;
    expect((await ada.delete(`/api/organizations/${organizationId}/members/${graceId}`)).status).toBe(204);
    expect((await grace.get(`/api/projects/${server.project.id}`)).status).toBe(404);
  });

  it('adds projects to the organisation; a user outside it cannot reach them', async () => {
    const state = await ada.get('/api/auth/state');
    const organizationId = state.body.organizations[0].id;
    const created = await ada.post(`/api/organizations/${organizationId}/projects`, { name: 'Mobile app' });
    expect(created.status).toBe(201);
    expect(created.body.api_token).toMatch(/^phc_/);
    expect((await ada.get('/api/auth/state')).body.organizations[0].projects.map((p: { name: string }) => p.name)).toEqual(['Renamed', 'Mobile app']);
    const stranger = new SessionClient(server.url);
    expect((await stranger.get(`/api/organizations/${organizationId}/members`)).status).toBe(401);
  });

  it('manages personal API keys: hashed at rest, scoped, revocable, with last-used time', async () => {
    const path = `/api/projects/${server.project.id}/personal_api_keys`;
    const readKey = await ada.post(path, { label: 'dashboard TV', scopes: ['read'] });
    expect(readKey.status).toBe(201);
    expect(readKey.body.key).toMatch(/^phx_/);
    const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test', 'SELECT count(*)::int AS n FROM personal_api_keys WHERE key_hash = sha256(convert_to($1, \'UTF8\'))', [readKey.body.key]);
    expect(rows[0]!.n).toBe(1);
    const { rows: clear } = await runQuery(server.db.pool, 'test', "SELECT 1 FROM personal_api_keys WHERE key_prefix = $1 OR label = $1", [readKey.body.key]);
    expect(clear).toHaveLength(0);

    const bearer = (key: string, method = 'GET', body?: string) => fetch(`${server.url}/api/projects/${server.project.id}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body,
    });
    expect((await bearer(readKey.body.key)).status).toBe(200);
    const write = await bearer(readKey.body.key, 'PATCH', '{"name":"nope"}');
    expect(write.status).toBe(403);
    expect((await write.json() as { detail: string }).detail).toMatch(/needs write/);
    const query = await fetch(`${server.url}/api/projects/${server.project.id}/query`, {
      method: 'POST', headers: { authorization: `Bearer ${readKey.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] }),
    });
    expect(query.status).toBe(200);

    const listed = await ada.get(path);
    const mine = listed.body.results.find((k: { id: number }) => k.id === readKey.body.id);
    expect(mine).toMatchObject({ label: 'dashboard TV', scopes: ['read'], created_by: admin.email, key_prefix: readKey.body.key.slice(0, 10) });
    expect(mine.last_used_at).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(readKey.body.key);

    // A key cannot manage keys.
    expect((await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.apiKey}` } })).status).toBe(403);

    expect((await ada.delete(`${path}/${readKey.body.id}`)).status).toBe(204);
    expect((await bearer(readKey.body.key)).status).toBe(401);
    expect((await ada.post(path, { scopes: ['admin'] })).body.attr).toBe('scopes.0');
  });

  it('serves the web app for page paths and JSON 404s for unknown API paths', async () => {
    const page = await fetch(`${server.url}/project/1/events`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<div id="root">|web app is not built/);
    const api = await fetch(`${server.url}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect((await api.json() as { code: string }).code).toBe('not_found');
  });
});
