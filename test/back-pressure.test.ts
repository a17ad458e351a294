import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from '../src/ingestion/worker.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { quietLog, startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop();
  await server?.stop();
  worker = server = undefined;
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const batch = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ event: 'load', distinct_id: `${prefix}-${i % 7}` }));
const captureState = async (url: string) => ((await (await fetch(`${url}/_health`)).json()) as { capture: string }).capture;

describe('back-pressure', () => {
  it('refuses capture with 503 and Retry-After past the event limit, and recovers once workers catch up', async () => {
    server = await startTestServer({ worker: false, backlogLimits: { maxEvents: 50, maxSeconds: 3600 } });
    const s = server;
    expect((await sendCapture(s.url, { api_key: s.project.api_token, batch: batch(60, 'bp') })).status).toBe(200);
    await until(async () => (await captureState(s.url)).startsWith('refusing'));
    const refused = await sendCapture(s.url, { api_key: s.project.api_token, batch: batch(5, 'late') });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('backlog_full');
    expect(refused.body.detail).toMatch(/60 events wait/);
    expect(refused.headers.get('retry-after')).toBe('10');

    worker = new Worker({ databaseUrl: s.db.url, batchEvents: 1000, pollMs: 10, log: quietLog });
    worker.start();
    await s.drained();
    await until(async () => (await captureState(s.url)) === 'accepting');
    expect((await sendCapture(s.url, { api_key: s.project.api_token, batch: batch(5, 'late') })).status).toBe(200);
  });

  it('refuses while the oldest waiting event is older than the age limit', async () => {
    server = await startTestServer({ worker: false, backlogLimits: { maxEvents: 1_000_000, maxSeconds: 1 } });
    const s = server;
    expect((await sendCapture(s.url, { api_key: s.project.api_token, batch: batch(1, 'old') })).status).toBe(200);
    await until(async () => (await captureState(s.url)).includes('arrived'));
    expect((await sendCapture(s.url, { api_key: s.project.api_token, batch: batch(1, 'old') })).status).toBe(503);
  });
});
