import { gzipSync } from 'node:zlib';
import LZString from 'lz-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
let otherToken: string;
beforeAll(async () => {
  server = await startTestServer();
  const { rows } = await runQuery<{ api_token: string }>(server.db.pool, 'test.project', "INSERT INTO projects (name, api_token) VALUES ('other', 'phc_other') RETURNING api_token");
  otherToken = rows[0]!.api_token;
});
afterAll(() => server.stop());

async function storedEvent(distinctId: string) {
  await server.drained();
  const { rows } = await runQuery<{ event: string; project_id: number; properties: Record<string, unknown>; timestamp: Date }>(server.db.pool, 'test.event',
    'SELECT event, project_id, properties, timestamp FROM events WHERE distinct_id = $1', [distinctId]);
  return rows;
}

const eventFor = (id: string, extra: Record<string, unknown> = {}) => ({ event: 'enc', distinct_id: id, properties: { token: server.project.api_token, k: id }, ...extra });
const toBase64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('capture encodings', () => {
  const cases: Array<[string, (id: string) => { path: string; init: RequestInit }]> = [
    ['JSON body', (id) => ({ path: '/e/', init: { method: 'POST', body: JSON.stringify(eventFor(id)), headers: { 'content-type': 'application/json' } } })],
    ['gzip with Content-Encoding', (id) => ({ path: '/capture', init: { method: 'POST', body: gzipSync(JSON.stringify(eventFor(id))), headers: { 'content-encoding': 'gzip' } } })],
    ['gzip as text/plain without any hint', (id) => ({ path: '/e/', init: { method: 'POST', body: gzipSync(JSON.stringify([eventFor(id)])), headers: { 'content-type': 'text/plain' } } })],
    ['gzip-js compression parameter', (id) => ({ path: '/e/?compression=gzip-js', init: { method: 'POST', body: gzipSync(JSON.stringify(eventFor(id))) } })],
    ['lz64 form', (id) => ({ path: '/track/', init: { method: 'POST', body: `data=${encodeURIComponent(LZString.compressToBase64(JSON.stringify(eventFor(id))))}&compression=lz64`, headers: { 'content-type': 'application/x-www-form-urlencoded' } } })],
    ['lz64 with + turned into spaces', (id) => ({ path: '/e', init: { method: 'POST', body: `data=${LZString.compressToBase64(JSON.stringify(eventFor(id, { properties: { token: server.project.api_token, pad: '~~~~~~>>>>>>>???' } }))).replace(/\+/g, ' ')}&compression=lz64`, headers: { 'content-type': 'application/x-www-form-urlencoded' } } })],
    ['base64 form data', (id) => ({ path: '/i/v0/e/', init: { method: 'POST', body: `data=${encodeURIComponent(toBase64(eventFor(id)))}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } } })],
    ['base64 GET data', (id) => ({ path: `/e/?data=${encodeURIComponent(toBase64(eventFor(id)))}`, init: { method: 'GET' } })],
    ['JSON GET data', (id) => ({ path: `/e?data=${encodeURIComponent(JSON.stringify(eventFor(id)))}`, init: { method: 'GET' } })],
    ['NaN and Infinity', (id) => ({ path: '/e/', init: { method: 'POST', body: `{"event":"enc","distinct_id":"${id}","properties":{"token":"${server.project.api_token}","n":NaN,"i":-Infinity,"s":"NaN"}}` } })],
  ];
  for (const [name, build] of cases) {
    it(`accepts ${name}`, async () => {
      const id = `enc-${name.replace(/\W+/g, '-')}`;
      const { path, init } = build(id);
      const response = await fetch(`${server.url}${path}`, init);
      expect(response.status, await response.clone().text()).toBe(200);
      const rows = await storedEvent(id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.event).toBe('enc');
      if (name === 'NaN and Infinity') expect(rows[0]!.properties).toMatchObject({ n: null, i: null, s: 'NaN' });
    });
  }

  it('/engage stores a $identify carrying the top-level $set', async () => {
    const response = await fetch(`${server.url}/engage/`, { method: 'POST', body: JSON.stringify({ $token: server.project.api_token, $distinct_id: 'engaged', $set: { tier: 'gold' } }) });
    expect(response.status).toBe(200);
    const rows = await storedEvent('engaged');
    expect(rows[0]!.event).toBe('$identify');
    expect(rows[0]!.properties.$set).toEqual({ tier: 'gold' });
  });

  it('answers CORS preflight with the caller origin and headers', async () => {
    const response = await fetch(`${server.url}/e/`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-headers': 'content-type,x-thing' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,x-thing');
  });
});

describe('token lookup order', () => {
  const valid = () => server.project.api_token;
  const cases: Array<[string, () => { body: string; headers?: Record<string, string> }, () => string]> = [
    ['form api_key beats the body token', () => ({ body: `api_key=${valid()}&data=${encodeURIComponent(toBase64({ event: 'tok', distinct_id: 'tok-form', properties: { token: 'phc_other' } }))}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), () => valid()],
    ["a list's first properties.token", () => ({ body: JSON.stringify([{ event: 'tok', distinct_id: 'tok-list', properties: { token: 'phc_other' } }, { event: 'tok', distinct_id: 'tok-list', properties: { token: valid() } }]) }), () => otherToken],
    ['$token before api_key and token', () => ({ body: JSON.stringify({ $token: 'phc_other', api_key: valid(), token: valid(), event: 'tok', distinct_id: 'tok-dollar' }) }), () => otherToken],
    ['api_key before token', () => ({ body: JSON.stringify({ api_key: 'phc_other', token: valid(), event: 'tok', distinct_id: 'tok-apikey' }) }), () => otherToken],
    ['token before properties.token', () => ({ body: JSON.stringify({ token: 'phc_other', event: 'tok', distinct_id: 'tok-token', properties: { token: valid() } }) }), () => otherToken],
  ];
  for (const [name, build, expectedToken] of cases) {
    it(name, async () => {
      const { body, headers } = build();
      const response = await fetch(`${server.url}/e/`, { method: 'POST', body, headers });
      expect(response.status).toBe(200);
      const distinctId = name.includes('form') ? 'tok-form' : /tok-[a-z]+/.exec(body)![0];
      const rows = await storedEvent(distinctId);
      const { rows: project } = await runQuery<{ id: number }>(server.db.pool, 'test.p', 'SELECT id FROM projects WHERE api_token = $1', [expectedToken()]);
      expect(new Set(rows.map((r) => r.project_id))).toEqual(new Set([project[0]!.id]));
    });
  }
});

describe('clock skew', () => {
  it('corrects timestamps by sent_at from `_`, from the body, applies offset, and keeps historical ones', async () => {
    const skewMs = 3_600_000;
    const clientNow = Date.now() + skewMs;
    const before = Date.now();
    const responses = await Promise.all([
      fetch(`${server.url}/e/?_=${clientNow}`, { method: 'POST', body: JSON.stringify({ ...eventFor('skew-query'), timestamp: new Date(clientNow - 5000).toISOString() }) }),
      fetch(`${server.url}/batch/`, { method: 'POST', body: JSON.stringify({ api_key: server.project.api_token, sent_at: new Date(clientNow).toISOString(), batch: [{ event: 'x', distinct_id: 'skew-body', timestamp: new Date(clientNow - 7000).toISOString() }] }) }),
      fetch(`${server.url}/batch/`, { method: 'POST', body: JSON.stringify({ api_key: server.project.api_token, sentAt: Math.floor(clientNow / 1000), batch: [{ event: 'x', distinct_id: 'skew-seconds', timestamp: new Date(clientNow - 9000).toISOString() }] }) }),
      fetch(`${server.url}/e/`, { method: 'POST', body: JSON.stringify({ ...eventFor('skew-offset'), offset: 4000 }) }),
      fetch(`${server.url}/batch/`, { method: 'POST', body: JSON.stringify({ api_key: server.project.api_token, batch: [{ event: 'x', distinct_id: 'skew-none', timestamp: '2024-02-03T04:05:06.789Z' }] }) }),
    ]);
    const after = Date.now();
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const at = async (id: string) => (await storedEvent(id))[0]!.timestamp.getTime();
    const within = (value: number, delta: number, slackMs = 0) => {
      expect(value).toBeGreaterThanOrEqual(before - delta - slackMs);
      expect(value).toBeLessThanOrEqual(after - delta + slackMs);
    };
    within(await at('skew-query'), 5000);
    within(await at('skew-body'), 7000);
    within(await at('skew-seconds'), 9000, 1000);
    within(await at('skew-offset'), 4000);
    expect(await at('skew-none')).toBe(Date.parse('2024-02-03T04:05:06.789Z'));
  });
});
