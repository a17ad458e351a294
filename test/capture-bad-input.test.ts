import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { createPool } from '../src/db/pool.ts';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.stop());

const token = () => server.project.api_token;

describe('bad capture input', () => {
  it.each([
    ['unparseable JSON', '{"event": "x", ', 'invalid_payload'],
    ['an empty body', '', 'invalid_payload'],
    ['an empty batch', () => JSON.stringify({ api_key: token(), batch: [] }), 'invalid_payload'],
    ['a batch that is not a list', () => JSON.stringify({ api_key: token(), batch: { event: 'x' } }), 'invalid_payload'],
    ['a bare string', '"hello"', 'invalid_payload'],
    ['broken gzip', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]), 'invalid_payload'],
    ['a form without data', 'ver=1&compression=lz64', 'invalid_payload'],
  ])('answers 400 for %s', async (_name, body, code) => {
    const payload = typeof body === 'function' ? body() : body;
    const response = await fetch(`${server.url}/batch/`, { method: 'POST', body: payload });
    expect(response.status).toBe(400);
    const json = await response.json() as { code: string; detail: string };
    expect(json.code).toBe(code);
    expect(json.detail.length).toBeGreaterThan(5);
  });

  it('names the index of each bad event and keeps the good ones', async () => {
    const batch = [
      { event: 'ok', distinct_id: 'bad-batch' },
      { distinct_id: 'bad-batch' },
      { event: 'ok', distinct_id: 'bad-batch' },
      { event: 'no id' },
      { event: 'x', distinct_id: { nested: true } },
      'not an event',
      { event: 'x', distinct_id: 'bad-batch', uuid: 'not-a-uuid' },
      { event: 'x', distinct_id: 'bad-batch', properties: [1, 2] },
    ];
    const { status, body } = await sendCapture(server.url, { api_key: token(), batch });
    expect(status).toBe(400);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(body.rejected[0].reason).toMatch(/event name/);
    expect(body.rejected[1].reason).toMatch(/distinct_id/);
    await server.drained();
    const { rows } = await runQuery(server.db.pool, 'test.kept', "SELECT 1 FROM events WHERE distinct_id = 'bad-batch'");
    expect(rows).toHaveLength(2);
  });

  it('handles what the fuzz run found: nesting past 100 levels, a name of NUL only, a time past any date, broken lz64 and gzip in data=, a token Postgres cannot hold', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 101; level++) deep = [deep];
    const batch = [
      { event: 'too deep', distinct_id: 'fuzz-found', properties: { deep } },
      { event: '\u0000\u0000', distinct_id: 'fuzz-found' },
      { event: 'far offset', distinct_id: 'fuzz-found', offset: 1e308 },
    ];
    const { status, body } = await sendCapture(server.url, { api_key: token(), batch });
    expect(status).toBe(400);
    expect(body.rejected).toEqual([{ index: 0, reason: 'properties are nested deeper than 100 levels' }, { index: 1, reason: 'missing event name (field "event")' }]);
    await server.drained();
    const { rows } = await runQuery<{ event: string; ignored: string; received: boolean }>(server.db.pool, 'test.fuzz_found',
      `SELECT event, properties ->> '$ignored_timestamp' AS ignored, timestamp > now() - interval '1 minute' AS received
       FROM events WHERE distinct_id = 'fuzz-found'`);
    expect(rows).toEqual([{ event: 'far offset', ignored: '1e+308', received: true }]);

    for (const path of ['/batch/', '/flags/?v=2']) {
      expect((await sendCapture(server.url, { token: '\u0000', distinct_id: 'x', event: 'x' }, { path })).status).toBe(401);
      expect((await sendCapture(server.url, { token: '\ud800', distinct_id: 'x', event: 'x' }, { path })).status).toBe(401);
    }
    for (const form of ['data=y&compression=lz64', `data=${encodeURIComponent(gzipSync('{"event": "x"}').subarray(0, 12).toString('base64'))}`]) {
      const response = await fetch(`${server.url}/e/`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe('invalid_payload');
    }
  });

  it('answers 401 for a missing or unknown token', async () => {
    const missing = await sendCapture(server.url, { batch: [{ event: 'x', distinct_id: 'y' }] });
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('invalid_api_key');
    const unknown = await sendCapture(server.url, { api_key: 'phc_nope', batch: [{ event: 'x', distinct_id: 'y' }] });
    expect(unknown.status).toBe(401);
  });

  it('answers 413 past 2 MB on single-event endpoints and past 20 MB on /batch', async () => {
    const big = (bytes: number) => JSON.stringify({ api_key: token(), event: 'x', distinct_id: 'big', properties: { blob: 'a'.repeat(bytes) } });
    expect((await sendCapture(server.url, big(2.1 * 1024 * 1024), { path: '/e/' })).status).toBe(413);
    expect((await sendCapture(server.url, big(3 * 1024 * 1024), { path: '/batch/' })).status).toBe(200);
    expect((await sendCapture(server.url, big(21 * 1024 * 1024), { path: '/batch/' })).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024, 32));
    expect((await fetch(`${server.url}/e/`, { method: 'POST', body: bomb })).status).toBe(413);
  });

  it('never answers 500 to random bytes', async () => {
    for (let i = 0; i < 200; i++) {
      const body = randomBytes(1 + (i * 37) % 2000);
      if (i % 3 === 0) body[0] = 0x1f, body[1] = 0x8b;
      const response = await fetch(`${server.url}${['/e/', '/batch', '/i/v0/e', '/engage'][i % 4]}`, { method: 'POST', body });
      expect([400, 401, 413]).toContain(response.status);
    }
    expect((await fetch(`${server.url}/_health`)).status).toBe(200);
  });

  it('answers 503 while the database is unreachable, so SDKs retry', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/none', 1);
    const app = await buildApp({ db: deadPool, logLevel: 'silent' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const { status, body, headers } = await sendCapture(url, { api_key: token(), batch: [{ event: 'x', distinct_id: 'y' }] });
      expect(status).toBe(503);
      expect(body.code).toBe('storage_unavailable');
      expect(headers.get('retry-after')).toBeTruthy();
      expect((await fetch(`${url}/_health`)).status).toBe(503);
    } finally {
      await app.close();
      await deadPool.end();
    }
  });
});
