import { randomUUID } from 'node:crypto';
import type { Pool } from '../../src/db/pool.ts';
import { percentile } from '../ingest/send-requests.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LatencyStats { probes: number; p50Ms: number; p99Ms: number; maxMs: number }

export interface SteadyLoad {
  /** The probe latencies since the last call (or the start), and starts a new window. */
  window(): LatencyStats;
  /** Stops sending; resolves with the events that got a 200 and the last window's latencies. */
  stop(): Promise<{ acknowledged: number; failedRequests: number; latency: LatencyStats }>;
}

function stats(latencies: number[]): LatencyStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { probes: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? 0 };
}

/**
 * Ingestion that keeps running during a conversion: `rate` events/s in /batch requests of 100,
 * plus a probe event every 250 ms whose time from request to being stored in `events` is
 * measured: the longest is the longest ingestion pause anyone would have seen.
 */
export function startSteadyLoad(url: string, pool: Pool, token: string, projectId: number, rate: number): SteadyLoad {
  let stopped = false;
  let acknowledged = 0;
  let failedRequests = 0;
  let latencies: number[] = [];
  const batchSize = 100;
  const send = async (batch: object[]) => {
    const response = await fetch(`${url}/batch/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: token, batch }) }).catch(() => undefined);
    if (response?.ok) acknowledged += batch.length;
    else failedRequests++;
    return response?.ok ?? false;
  };
  const sender = (async () => {
    const started = performance.now();
    for (let sent = 0; !stopped;) {
      const due = ((performance.now() - started) / 1000) * rate;
      if (sent + batchSize > due) {
        await sleep(5);
        continue;
      }
      const batch = Array.from({ length: batchSize }, (_, i) => ({
        event: ['$pageview', '$autocapture', '$pageleave', 'purchase'][i % 4], distinct_id: `steady-${(sent + i) % 5000}`,
        uuid: randomUUID(), timestamp: new Date().toISOString(), properties: { $current_url: 'https://example.com/steady', $browser: 'Chrome' },
      }));
      sent += batchSize;
      await send(batch);
    }
  })();
  const prober = (async () => {
    while (!stopped) {
      const uuid = randomUUID();
      const asked = performance.now();
      if (await send([{ event: 'latency probe', distinct_id: 'probe', uuid, timestamp: new Date().toISOString(), properties: {} }])) {
        for (;;) {
          const { rows } = await pool.query('SELECT 1 FROM events WHERE project_id = $1 AND uuid = $2', [projectId, uuid]);
          if (rows.length > 0) break;
          await sleep(10);
        }
        latencies.push(performance.now() - asked);
      }
      await sleep(250);
    }
  })();
  const window = () => {
    const result = stats(latencies);
    latencies = [];
    return result;
  };
  return {
    window,
    stop: async () => {
      stopped = true;
      await Promise.all([sender, prober]);
      return { acknowledged, failedRequests, latency: window() };
    },
  };
}
