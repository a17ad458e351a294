import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { createProject } from '../../src/accounts/projects.ts';
import type { Pool } from '../../src/db/pool.ts';
import { measureCopyCeiling } from '../ingest/copy-ceiling.ts';
import { waitForDrain } from '../ingest/run-ingest-bench.ts';
import { prepareWorkload } from '../ingest/prepare-requests.ts';
import { percentile } from '../ingest/send-requests.ts';
import { WorkerMemorySampler } from '../ingest/worker-memory.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';

export interface SustainOptions { url: string; minutes: number; fraction: number; poolEvents: number; connections: number; log: (line: string) => void }

interface Sample { atSeconds: number; sentEvents: number; backlogEvents: number; workerMiB: number }

export interface SustainResult {
  machine: MachineInfo;
  ceilingRowsPerSecond: number;
  targetEventsPerSecond: number;
  achievedEventsPerSecond: number;
  seconds: number;
  drainSeconds: number;
  captureLatencyMs: { p50: number; p99: number };
  failedRequests: number;
  samples: Sample[];
}

/**
 * Issue 6's endurance run: sends the standard workload at a fixed fraction of the raw-COPY
 * ceiling for `minutes`, replaying a prepared pool of request bodies (without uuids, so each
 * replay is new events), sampling the buffer backlog and the workers' memory as it goes.
 */
export async function runSustainBench(pool: Pool, options: SustainOptions): Promise<SustainResult> {
  const machine = await describeMachine(pool);
  const project = await createProject(pool, `sustain ${new Date().toISOString()}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-sustain-'));
  try {
    options.log(`preparing ${options.poolEvents} events to replay`);
    const workload = await prepareWorkload({ events: options.poolEvents, seed: 1, spanDays: 56 }, project.api_token, project.id, path.join(dir, 'events.copy'), false);
    const ceiling = await measureCopyCeiling(pool, path.join(dir, 'events.copy'), workload.events);
    const target = ceiling.rowsPerSecond * options.fraction;
    options.log(`ceiling ${Math.round(ceiling.rowsPerSecond)} rows/s; sending ${Math.round(target)} events/s for ${options.minutes} min`);

    const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
    const memory = new WorkerMemorySampler(pool);
    const latencies: number[] = [];
    const samples: Sample[] = [];
    let sent = 0;
    let failed = 0;
    let next = 0;
    const started = performance.now();
    const endAt = started + options.minutes * 60_000;
    const elapsed = () => (performance.now() - started) / 1000;
    const sampler = setInterval(() => {
      void pool.query<{ n: number }>('SELECT coalesce(sum(event_count), 0)::bigint AS n FROM ingestion_buffer').then(({ rows }) => {
        samples.push({ atSeconds: Math.round(elapsed()), sentEvents: sent, backlogEvents: rows[0]!.n, workerMiB: memory.latestMiB() });
      }, () => undefined);
    }, 10_000);
    memory.start(5000);
    const lane = async () => {
      while (performance.now() < endAt) {
        // Pace: never ahead of the target rate.
        const due = started + (sent / target) * 1000;
        if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
        const item = workload.requests[next++ % workload.requests.length]!;
        sent += item.events;
        const t = performance.now();
        const response = await request(`${options.url}${item.path}`, { method: 'POST', body: item.body, headers: item.headers, dispatcher: agent }).catch(() => undefined);
        await response?.body.dump();
        latencies.push(performance.now() - t);
        if (response?.statusCode !== 200) failed++;
      }
    };
    await Promise.all(Array.from({ length: options.connections }, lane));
    const seconds = elapsed();
    const drainStarted = performance.now();
    await waitForDrain(pool, project.id, 30 * 60_000);
    clearInterval(sampler);
    memory.stop();
    await agent.close();
    const sorted = latencies.sort((a, b) => a - b);
    return {
      machine,
      ceilingRowsPerSecond: ceiling.rowsPerSecond,
      targetEventsPerSecond: target,
      achievedEventsPerSecond: sent / seconds,
      seconds,
      drainSeconds: (performance.now() - drainStarted) / 1000,
      captureLatencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
      failedRequests: failed,
      samples,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatSustainReport(result: SustainResult): string {
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB; PostgreSQL ${result.machine.postgres}`,
    `target ${f(result.targetEventsPerSecond)} events/s (of a ${f(result.ceilingRowsPerSecond)} rows/s COPY ceiling); achieved ${f(result.achievedEventsPerSecond)} over ${f(result.seconds)} s`,
    `backlog drained ${result.drainSeconds.toFixed(1)} s after the last request; capture p50/p99 ${result.captureLatencyMs.p50.toFixed(1)} / ${result.captureLatencyMs.p99.toFixed(1)} ms; failed requests ${result.failedRequests}`,
    '',
    'seconds  sent events  backlog events  worker MiB',
    ...result.samples.map((s) => `${String(s.atSeconds).padEnd(8)} ${f(s.sentEvents).padEnd(12)} ${f(s.backlogEvents).padEnd(15)} ${s.workerMiB}`),
  ].join('\n');
}
