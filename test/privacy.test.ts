import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalApiKey } from '../src/accounts/personal-api-keys.ts';
import { createProject } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { storedEvents, type StoredEvent } from './helpers/stored-events.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const run = promisify(execFile);
let server: TestServer;
let otherKey: string;

beforeAll(async () => {
  server = await startTestServer();
  otherKey = (await createPersonalApiKey(server.db.pool, (await createProject(server.db.pool, 'Other')).id)).key;
});
afterAll(() => server.stop());

async function call(method: string, path: string, body?: unknown, key = server.apiKey) {
  const response = await fetch(`${server.url}/api/projects/${server.project.id}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, headers: response.headers, body: await response.json().catch(() => undefined) as any };
}

async function capture(batch: object[]) {
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
  await server.drained();
}

/** Stored events (in the run's events store) that pass `where`. */
const events = async (where: (event: StoredEvent) => boolean = () => true) => (await storedEvents(server)).filter(where).length;
const count = async (sql: string, values: unknown[] = []) => (await runQuery<{ n: number }>(server.db.pool, 'test', `SELECT count(*)::int AS n FROM ${sql}`, values)).rows[0]!.n;

describe('privacy', () => {
  it('exports a person with every event of all their ids (merged ones too) as JSON, over the API', async () => {
    await capture([
      { event: '$pageview', distinct_id: 'anon-1' },
      { event: '$identify', distinct_id: 'jane@example.com', properties: { $anon_distinct_id: 'anon-1', $set: { email: 'jane@example.com' } } },
      { event: 'purchase', distinct_id: 'jane@example.com', properties: { revenue: 12 } },
      { event: '$pageview', distinct_id: 'someone-else' },
    ]);
    const { rows: [jane] } = await runQuery<{ person_uuid: string }>(server.db.pool, 'test', "SELECT person_uuid::text FROM person_distinct_ids WHERE distinct_id = 'jane@example.com'");
    const exported = await call('GET', `/persons/${jane!.person_uuid}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    expect(exported.body.person).toMatchObject({ uuid: jane!.person_uuid, distinct_ids: ['anon-1', 'jane@example.com'], properties: { email: 'jane@example.com' } });
    expect(exported.body.events.map((e: { event: string }) => e.event).sort()).toEqual(['$identify', '$pageview', 'purchase']);
    expect((await call('GET', `/persons/${jane!.person_uuid}/export`, undefined, otherKey)).status).toBe(404);
  });

  it('deletes a person, and their events with delete_events=true, leaving everyone else alone', async () => {
    const { rows: [jane] } = await runQuery<{ person_uuid: string }>(server.db.pool, 'test', "SELECT person_uuid::text FROM person_distinct_ids WHERE distinct_id = 'jane@example.com'");
    expect((await call('DELETE', `/persons/${jane!.person_uuid}?delete_events=true`, undefined, otherKey)).status).toBe(404);
    const before = await events();
    const deleted = await call('DELETE', `/persons/${jane!.person_uuid}?delete_events=true`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ uuid: jane!.person_uuid, distinct_ids: ['anon-1', 'jane@example.com'], events_deleted: 3 });
    expect(await events()).toBe(before - 3);
    expect(await events((e) => ['anon-1', 'jane@example.com'].includes(e.distinct_id))).toBe(0);
    expect(await count("person_distinct_ids WHERE distinct_id IN ('anon-1', 'jane@example.com')")).toBe(0);
    expect(await count('persons WHERE uuid = $1', [jane!.person_uuid])).toBe(0);
    expect(await events((e) => e.distinct_id === 'someone-else')).toBe(1);
    expect((await call('GET', `/persons/${jane!.person_uuid}`)).status).toBe(404);
    expect((await call('DELETE', `/persons/${jane!.person_uuid}`)).status).toBe(404);
  });

  it('keeps the events when asked to delete only the person', async () => {
    await capture([{ event: 'kept', distinct_id: 'keep-me', properties: { $set: { name: 'K' } } }]);
    const { rows: [kept] } = await runQuery<{ person_uuid: string }>(server.db.pool, 'test', "SELECT person_uuid::text FROM person_distinct_ids WHERE distinct_id = 'keep-me'");
    expect((await call('DELETE', `/persons/${kept!.person_uuid}`)).body.events_deleted).toBe(0);
    expect(await events((e) => e.distinct_id === 'keep-me')).toBe(1);
  });

  it('exports and deletes from the CLI by distinct id', async () => {
    await capture([{ event: 'cli event', distinct_id: 'cli-person', properties: { $set: { plan: 'pro' } } }]);
    const env = { ...process.env, ...server.storeEnv() };
    const exported = JSON.parse((await run('node', ['bin/sounder.js', 'persons', 'export', '--project', String(server.project.id), '--distinct-id', 'cli-person'], { env })).stdout);
    expect(exported.person.properties).toEqual({ plan: 'pro' });
    expect(exported.events.map((e: { event: string }) => e.event)).toEqual(['cli event']);
    const deleted = JSON.parse((await run('node', ['bin/sounder.js', 'persons', 'delete', '--project', String(server.project.id), '--distinct-id', 'cli-person', '--with-events', '--json'], { env })).stdout);
    expect(deleted.events_deleted).toBe(1);
    await expect(run('node', ['bin/sounder.js', 'persons', 'delete', '--project', String(server.project.id), '--distinct-id', 'cli-person'], { env })).rejects.toMatchObject({ stderr: expect.stringContaining('no person with distinct id "cli-person"') });
  });

  it('stores no $ip, sent or seen, once the project anonymizes IPs', async () => {
    await capture([{ event: 'with ip', distinct_id: 'ip-user', properties: { $ip: '198.51.100.7' } }, { event: 'seen ip', distinct_id: 'ip-user' }]);
    expect(await events((e) => ['with ip', 'seen ip'].includes(e.event) && '$ip' in e.properties)).toBe(2);
    expect((await call('PATCH', '', { anonymize_ips: true })).body.anonymize_ips).toBe(true);
    // A fresh web process reads the setting at once (a running one within a minute).
    const { buildApp } = await import('../src/api/app.ts');
    const fresh = await buildApp({ db: server.db.pool, logLevel: 'silent', clickhouse: server.clickhouse });
    await fresh.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(fresh.server.address() as { port: number }).port}`;
      expect((await sendCapture(url, { api_key: server.project.api_token, batch: [{ event: 'anon ip', distinct_id: 'ip-user', properties: { $ip: '198.51.100.7' } }, { event: 'anon seen', distinct_id: 'ip-user' }] })).status).toBe(200);
      await server.drained();
    } finally {
      await fresh.close();
    }
    expect(await events((e) => ['anon ip', 'anon seen'].includes(e.event))).toBe(2);
    expect(await events((e) => ['anon ip', 'anon seen'].includes(e.event) && '$ip' in e.properties)).toBe(0);
  });
});
