import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.stop());

/** The value of one sample in Prometheus' text format (summed over series matching all `labels`). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  if (!found) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return total;
}

const scrape = async () => (await fetch(`${server.url}/metrics`)).text();

describe('/metrics', () => {
  it('moves when events flow: requests, latency, accepted and rejected events, backlog, workers', async () => {
    const batch = Array.from({ length: 40 }, (_, i) => ({ event: 'm', distinct_id: `metric-${i % 4}` }));
    expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
    expect((await sendCapture(server.url, { api_key: server.project.api_token, batch: [{ event: 'x', distinct_id: 'ok' }, { event: 'no id' }] })).status).toBe(400);
    expect((await sendCapture(server.url, { api_key: 'phc_nope', batch })).status).toBe(401);
    await server.drained();

    let text = await scrape();
    // Values read from the database must be current on the very first scrape (defaults are 0).
    expect(sample(text, 'sounder_metrics_scrape_database_ok')).toBe(1);
    expect(sample(text, 'sounder_capture_requests_total', { endpoint: '/batch', status: '200' })).toBe(1);
    expect(sample(text, 'sounder_capture_requests_total', { endpoint: '/batch', status: '401' })).toBe(1);
    expect(sample(text, 'sounder_capture_request_duration_seconds_count', { endpoint: '/batch' })).toBe(3);
    expect(sample(text, 'sounder_events_accepted_total')).toBe(41);
    expect(sample(text, 'sounder_events_rejected_total', { reason: 'missing distinct_id' })).toBe(1);
    expect(sample(text, 'sounder_buffer_backlog_events')).toBe(0);
    expect(sample(text, 'sounder_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(0);

    // Worker totals arrive with its heartbeat (every 2 to 3 s).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && sample(text = await scrape(), 'sounder_worker_events_total') !== 41) await new Promise((resolve) => setTimeout(resolve, 600));
    expect(sample(text, 'sounder_workers_live')).toBe(1);
    expect(sample(text, 'sounder_worker_events_total')).toBe(41);
    expect(sample(text, 'sounder_worker_batches_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sounder_worker_shards')).toBe(16);
    expect(text).toContain('sounder_web_process_resident_memory_bytes');
  });
});
