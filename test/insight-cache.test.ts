import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsightCache } from '../src/query/insight-cache.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer({ insightCacheSeconds: 1 }); });
afterAll(() => server.stop());

const pageview = (distinct_id: string) => ({ event: '$pageview', distinct_id, timestamp: new Date().toISOString() });

describe('insight result cache', () => {
  it('serves a result no older than the server limit, then recomputes with the new events', async () => {
    const path = `${server.url}/api/projects/${server.project.id}/insights/trend?events=${encodeURIComponent(JSON.stringify([{ id: '$pageview' }]))}&date_from=dStart`;
    const count = async () => {
      const body = await (await fetch(path, { headers: { authorization: `Bearer ${server.apiKey}` } })).json() as { result: Array<{ count: number }>; is_cached: boolean };
      return [body.result[0]!.count, body.is_cached];
    };
    await sendCapture(server.url, { api_key: server.project.api_token, batch: [pageview('a')] });
    await server.drained();
    expect(await count()).toEqual([1, false]);
    await sendCapture(server.url, { api_key: server.project.api_token, batch: [pageview('b')] });
    await server.drained();
    expect(await count()).toEqual([1, true]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await count()).toEqual([2, false]);
  });

  it('runs identical requests in flight once, and recomputes when the caller allows no age', async () => {
    const cache = new InsightCache();
    let runs = 0;
    const compute = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return runs;
    };
    const [a, b] = await Promise.all([cache.get('k', 60_000, compute), cache.get('k', 60_000, compute)]);
    expect([a.result, b.result, runs]).toEqual([1, 1, 1]);
    expect((await cache.get('k', 60_000, compute)).cached).toBe(true);
    expect((await cache.get('k', 0, compute)).result).toBe(2);
  });
});
