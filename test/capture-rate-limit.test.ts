import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer({ captureRateLimit: { eventsPerSecond: 20, burstSeconds: 1 } }); });
afterAll(() => server.stop());

const batchOf = (token: string, count: number, distinctId: string) =>
  ({ api_key: token, batch: Array.from({ length: count }, (_, i) => ({ event: 'limited', distinct_id: distinctId, properties: { i } })) });

async function storedFor(distinctId: string): Promise<number> {
  await server.drained();
  const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.limited', 'SELECT count(*)::int AS n FROM events WHERE distinct_id = $1', [distinctId]);
  return rows[0]!.n;
}

describe('the capture rate limit', () => {
  it('answers 429 with Retry-After past a project\'s burst, stores none of that request, and leaves other projects alone', async () => {
    const token = server.project.api_token;
    expect((await sendCapture(server.url, batchOf(token, 20, 'burst'))).status).toBe(200);
    const refused = await sendCapture(server.url, batchOf(token, 5, 'refused'));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ type: 'throttled_error', code: 'rate_limited' });
    expect(refused.body.detail).toMatch(/none of the 5 events were stored, retry in \d+ s/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);

    const other = await createProject(server.db.pool, 'Unlimited neighbour');
    expect((await sendCapture(server.url, batchOf(other.api_token, 20, 'neighbour'))).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await sendCapture(server.url, batchOf(token, 5, 'later'))).status).toBe(200);
    expect(await storedFor('burst')).toBe(20);
    expect(await storedFor('refused')).toBe(0);
    expect(await storedFor('neighbour')).toBe(20);
    expect(await storedFor('later')).toBe(5);
  });

  it('loses nothing from posthog-node, which retries after a 429', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const client = new PostHog(server.project.api_token, { host: server.url, flushAt: 15, maxBatchSize: 15, flushInterval: 20, fetchRetryDelay: 500, fetchRetryCount: 10 });
    const started = Date.now();
    for (let i = 0; i < 60; i++) client.capture({ distinctId: 'sdk-limited', event: 'limited', properties: { i } });
    await client.shutdown(30_000);
    expect(await storedFor('sdk-limited')).toBe(60);
    // 60 events at 20/s with a burst of 20: at least two seconds of refusals and retries.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });
});
