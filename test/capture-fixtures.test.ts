import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

interface FixtureEvent { uuid: string; distinct_id: string; token: string; now: string; sent_at: string; data: string }
interface FixtureRequest { path: string; method: string; content_type: string; content_encoding: string; body: string; output: FixtureEvent[] }

const fixtures: FixtureRequest[] = fs.readFileSync(new URL('./fixtures/posthog-capture-requests.jsonl', import.meta.url), 'utf8')
  .split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const tokens = new Set(fixtures.flatMap((request) => request.output.map((event) => event.token)));
  for (const token of tokens) {
    await runQuery(server.db.pool, 'test.project', 'INSERT INTO projects (name, api_token) VALUES ($1, $1)', [token]);
  }
});
afterAll(() => server.stop());

describe('recorded PostHog SDK requests', () => {
  it('stores exactly the events PostHog decoded from each request, with clock-skew corrected times', async () => {
    const sentWindows = new Map<string, { before: number; after: number }>();
    for (const request of fixtures) {
      const headers: Record<string, string> = { 'content-type': request.content_type };
      if (request.content_encoding) headers['content-encoding'] = request.content_encoding;
      const before = Date.now();
      const response = await fetch(`${server.url}${request.path}`, { method: request.method, headers, body: Buffer.from(request.body, 'base64') });
      const after = Date.now();
      expect(response.status, await response.clone().text()).toBe(200);
      expect(await response.json()).toEqual({ status: 1 });
      for (const event of request.output) if (!sentWindows.has(event.uuid)) sentWindows.set(event.uuid, { before, after });
    }
    await server.drained();

    const expected = new Map(fixtures.flatMap((request) => request.output).map((event) => [event.uuid, event]));
    const { rows } = await runQuery<{ uuid: string; event: string; distinct_id: string; properties: Record<string, unknown>; timestamp: Date; elements_chain: string }>(
      server.db.pool, 'test.events', 'SELECT uuid::text, event, distinct_id, properties, timestamp, elements_chain FROM events');
    // The mismatch section replays two requests of the first section: same uuids, stored once.
    expect(rows.length).toBe(expected.size);

    for (const row of rows) {
      const fixture = expected.get(row.uuid)!;
      expect(fixture, `unexpected event ${row.uuid}`).toBeDefined();
      const data = JSON.parse(fixture.data) as { event: string; properties: Record<string, unknown>; timestamp?: string; offset?: number; $set?: object };
      expect(row.event).toBe(data.event);
      expect(row.distinct_id).toBe(fixture.distinct_id);
      const { $elements, ...sentProperties } = data.properties;
      for (const [key, value] of Object.entries(sentProperties)) {
        expect(row.properties[key], `${row.uuid} property ${key}`).toEqual(value);
      }
      if ($elements) expect(row.elements_chain.length).toBeGreaterThan(0);
      if (data.$set) expect(row.properties.$set).toMatchObject(data.$set);

      const window = sentWindows.get(row.uuid)!;
      const stored = row.timestamp.getTime();
      if (data.offset !== undefined) {
        expect(stored).toBeGreaterThanOrEqual(window.before - data.offset - 1);
        expect(stored).toBeLessThanOrEqual(window.after - data.offset + 1);
      } else if (fixture.sent_at) {
        const skew = Date.parse(data.timestamp!) - Date.parse(fixture.sent_at);
        expect(stored).toBeGreaterThanOrEqual(window.before + skew - 1);
        expect(stored).toBeLessThanOrEqual(window.after + skew + 1);
      } else {
        expect(stored).toBe(Date.parse(data.timestamp!));
      }
    }
  });
});
