import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProject } from '../../src/accounts/projects.ts';
import { clickHouseLiteral, clickHouseString } from '../../src/clickhouse/clickhouse-literal.ts';
import { clickHouseTable, localEventsTableName, type ClickHouseStore } from '../../src/clickhouse/clickhouse-store.ts';
import type { Pool } from '../../src/db/pool.ts';
import { listEventTables } from '../../src/partition/event-tables.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';
import { measureCopyCeiling, type CeilingResult } from './copy-ceiling.ts';
import { prepareWorkload } from './prepare-requests.ts';
import { percentile, sendRequests } from './send-requests.ts';
import { WorkerMemorySampler } from './worker-memory.ts';

export interface IngestBenchOptions {
  url: string;
  events: number;
  connections: number;
  seed: number;
  spanDays: number;
  log: (line: string) => void;
  /** Called right before the first request and right after the buffer drained (for CPU sampling). */
  onIngestStart?: () => void;
  onIngestEnd?: () => void;
  /** The events store the running Sounder writes to, when it is ClickHouse (CLICKHOUSE_URL): events are counted and sized there. */
  clickhouse?: ClickHouseStore;
}

export interface IngestBenchResult {
  machine: MachineInfo;
  events: number;
  requests: number;
  connections: number;
  ingest: { seconds: number; eventsPerSecond: number; captureSeconds: number; failedRequests: number; retriedRequests: number };
  ceiling: CeilingResult;
  ratio: number;
  captureLatencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Where the events were counted and sized. */
  store: 'postgres' | 'clickhouse';
  bytesPerEvent: { events: number; copyCeilingTable: number; jsonSent: number; wire: number };
  workerMemory: { samples: number; firstMiB: number; maxMiB: number; lastMiB: number };
}

/** Waits until the buffer holds nothing of the project: every accepted event is stored. */
export async function waitForDrain(pool: Pool, projectId: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingestion_buffer WHERE project_id = $1', [projectId]);
    if (rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`the buffer still holds ${rows[0]!.n} rows after ${timeoutMs / 1000}s: are workers running?`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface StoredEvents { project: number; all: number; bytes: number }

async function postgresEvents(pool: Pool, projectId: number): Promise<StoredEvents> {
  const { rows: [stored] } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE project_id = $1', [projectId]);
  // Summed over the partitions when events is partitioned.
  const bytes = (await listEventTables(pool)).reduce((sum, table) => sum + table.bytes, 0);
  const { rows: [all] } = await pool.query<{ rows: number }>('SELECT count(*)::float8 AS rows FROM events');
  return { project: stored!.n, all: all!.rows, bytes };
}

/** Distinct uuids (a copy written twice would be counted once by every query, and fail the check here) and the parts' bytes over every shard. */
async function clickHouseEvents(store: ClickHouseStore, projectId: number): Promise<StoredEvents> {
  const [counted] = await store.primary.query<{ n: string; all: string }>(`SELECT uniqExactIf(uuid, project_id = ${clickHouseLiteral(projectId)}) AS n, count() AS all
    FROM ${clickHouseTable(store, 'events')}`);
  let bytes = 0;
  for (const node of store.nodes) {
    const [size] = await node.query<{ bytes: string }>(`SELECT sum(bytes_on_disk) AS bytes FROM system.parts
      WHERE database = ${clickHouseString(store.database)} AND table = ${clickHouseString(localEventsTableName(store))} AND active`);
    bytes += Number(size?.bytes ?? 0);
  }
  return { project: Number(counted!.n), all: Number(counted!.all), bytes };
}

/** WORKLOAD.md's ingest benchmark: end-to-end rate against a running Sounder beside a raw COPY of the same rows. */
export async function runIngestBench(pool: Pool, options: IngestBenchOptions): Promise<IngestBenchResult> {
  const health = await fetch(`${options.url}/_health`).catch(() => undefined);
  if (!health?.ok) throw new Error(`no Sounder answering at ${options.url} (start one with \`npm start\`, or pass --url)`);
  const machine = await describeMachine(pool);
  const project = await createProject(pool, `bench ${new Date().toISOString()}`);
  const copyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-bench-')), 'events.copy');
  try {
    options.log(`preparing ${options.events} events (seed ${options.seed}) for project ${project.id}`);
    const workload = await prepareWorkload({ events: options.events, seed: options.seed, spanDays: options.spanDays }, project.api_token, project.id, copyFile);

    options.log('measuring the raw COPY ceiling');
    const ceiling = await measureCopyCeiling(pool, copyFile, workload.events);

    options.log(`sending ${workload.requests.length} requests on ${options.connections} connections`);
    const memory = new WorkerMemorySampler(pool);
    memory.start();
    options.onIngestStart?.();
    const started = performance.now();
    const sent = await sendRequests(options.url, workload.requests, options.connections);
    await waitForDrain(pool, project.id, 30 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    options.onIngestEnd?.();
    const workerMemory = memory.stop();

    const stored = options.clickhouse ? await clickHouseEvents(options.clickhouse, project.id) : await postgresEvents(pool, project.id);
    if (stored.project !== workload.events) throw new Error(`expected ${workload.events} stored events, found ${stored.project}`);
    const latencies = [...sent.latenciesMs].sort((a, b) => a - b);
    const eventsPerSecond = workload.events / seconds;
    return {
      machine,
      events: workload.events,
      requests: workload.requests.length,
      connections: options.connections,
      ingest: { seconds, eventsPerSecond, captureSeconds: sent.seconds, failedRequests: sent.failures, retriedRequests: sent.retries },
      ceiling,
      ratio: eventsPerSecond / ceiling.rowsPerSecond,
      captureLatencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
      store: options.clickhouse ? 'clickhouse' : 'postgres',
      bytesPerEvent: { events: stored.bytes / stored.all, copyCeilingTable: ceiling.bytesPerRow, jsonSent: workload.jsonBytes / workload.events, wire: workload.wireBytes / workload.events },
      workerMemory,
    };
  } finally {
    fs.rmSync(path.dirname(copyFile), { recursive: true, force: true });
  }
}

export function formatIngestReport(result: IngestBenchResult): string {
  const f = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const { machine } = result;
  return [
    `machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpu}; PostgreSQL ${machine.postgres}; Node ${machine.node}`,
    `dataset: ${f(result.events)} standard-workload events in ${f(result.requests)} gzip requests on ${result.connections} connections`,
    '',
    'measure                          value',
    `end-to-end ingest (events/s)     ${f(result.ingest.eventsPerSecond)}   (${f(result.ingest.seconds, 1)} s to all queryable; capture done in ${f(result.ingest.captureSeconds, 1)} s)`,
    `raw COPY ceiling (rows/s)        ${f(result.ceiling.rowsPerSecond)}   (${f(result.ceiling.seconds, 1)} s)`,
    `ratio                            ${f(result.ratio * 100, 1)}%`,
    `capture latency p50/p95/p99 (ms) ${f(result.captureLatencyMs.p50, 1)} / ${f(result.captureLatencyMs.p95, 1)} / ${f(result.captureLatencyMs.p99, 1)}   (max ${f(result.captureLatencyMs.max, 1)})`,
    `bytes per event, events (${result.store}) ${f(result.bytesPerEvent.events)}   (COPY table ${f(result.bytesPerEvent.copyCeilingTable)}; JSON sent ${f(result.bytesPerEvent.jsonSent)}; on the wire ${f(result.bytesPerEvent.wire)})`,
    `worker memory (MiB)              first ${result.workerMemory.firstMiB}, max ${result.workerMemory.maxMiB}, last ${result.workerMemory.lastMiB} (${result.workerMemory.samples} samples)`,
    `failed / retried requests        ${result.ingest.failedRequests} / ${result.ingest.retriedRequests}`,
  ].join('\n');
}
