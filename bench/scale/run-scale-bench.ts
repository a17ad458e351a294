import os from 'node:os';
import { createPool } from '../../src/db/pool.ts';
import { createBenchDatabase, startRole, stopRole, waitUntil } from '../sounder-processes.ts';
import { runIngestBench, type IngestBenchResult } from '../ingest/run-ingest-bench.ts';
import { postgresCpuSeconds, treeCpuSeconds } from './process-cpu.ts';

export interface ScaleBenchOptions { databaseUrl: string; events: number; webCounts: number[]; workerCounts: number[]; port: number; log: (line: string) => void }

export interface ScaleRun {
  web: number;
  workers: number;
  result: IngestBenchResult;
  cpuSeconds: { web: number; workers: number; postgres: number; benchClient: number };
  machineCpuPercent: number;
  bottleneck: string;
}

function judge(run: Omit<ScaleRun, 'bottleneck'>): string {
  const seconds = run.result.ingest.seconds;
  if (run.machineCpuPercent >= 85) {
    const parts = Object.entries(run.cpuSeconds).sort((a, b) => b[1] - a[1]);
    return `CPU: machine ${Math.round(run.machineCpuPercent)}% busy, most in ${parts[0]![0]}`;
  }
  if (run.cpuSeconds.postgres / seconds > 0.85 * Math.min(run.workers, os.cpus().length)) return 'database: worker backends each near one core';
  return `waiting (locks or I/O): machine only ${Math.round(run.machineCpuPercent)}% busy`;
}

/**
 * Issue 6's scale benchmark: for each (web, worker) process count, starts those processes against
 * a fresh database of its own on the same server, runs the ingest benchmark (with its own raw-COPY
 * ceiling), and attributes CPU time to web, workers, PostgreSQL and the load generator.
 */
export async function runScaleBench(options: ScaleBenchOptions): Promise<ScaleRun[]> {
  const database = await createBenchDatabase(options.databaseUrl, 'scale');
  const url = database.url;
  const pool = createPool(url, 4, 'sounder-bench');
  const runs: ScaleRun[] = [];
  try {
    for (const web of options.webCounts) {
      for (const workers of options.workerCounts) {
        options.log(`--- ${web} web, ${workers} workers`);
        const webProcess = startRole(['web', '--processes', String(web), '--port', String(options.port), '--host', '127.0.0.1'], url);
        const workerProcess = startRole(['worker', '--processes', String(workers)], url);
        try {
          await waitUntil(async () => (await fetch(`http://127.0.0.1:${options.port}/_health`)).ok, 'the web processes');
          await waitUntil(async () => {
            const { rows } = await pool.query<{ holders: number; shards: number }>(
              `SELECT count(DISTINCT pid)::int AS holders, count(*)::int AS shards FROM pg_locks
               WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
            return rows[0]!.shards === 16 && rows[0]!.holders === Math.min(workers, 16);
          }, 'the workers to share the shards');
          let before = { web: 0, workers: 0, postgres: 0, client: process.cpuUsage() };
          let cpuSeconds = { web: 0, workers: 0, postgres: 0, benchClient: 0 };
          const result = await runIngestBench(pool, {
            url: `http://127.0.0.1:${options.port}`, events: options.events, connections: 8, seed: 1, spanDays: 56, log: options.log,
            onIngestStart: () => {
              before = { web: treeCpuSeconds(webProcess.pid!), workers: treeCpuSeconds(workerProcess.pid!), postgres: postgresCpuSeconds(), client: process.cpuUsage() };
            },
            onIngestEnd: () => {
              const client = process.cpuUsage(before.client);
              cpuSeconds = {
                web: treeCpuSeconds(webProcess.pid!) - before.web,
                workers: treeCpuSeconds(workerProcess.pid!) - before.workers,
                postgres: postgresCpuSeconds() - before.postgres,
                benchClient: (client.user + client.system) / 1e6,
              };
            },
          });
          const total = cpuSeconds.web + cpuSeconds.workers + cpuSeconds.postgres + cpuSeconds.benchClient;
          const run = { web, workers, result, cpuSeconds, machineCpuPercent: (100 * total) / (result.ingest.seconds * os.cpus().length) };
          runs.push({ ...run, bottleneck: judge(run) });
        } finally {
          await Promise.all([stopRole(webProcess), stopRole(workerProcess)]);
        }
      }
    }
    return runs;
  } finally {
    await pool.end();
    await database.drop().catch(() => undefined);
  }
}

export function formatScaleReport(runs: ScaleRun[]): string {
  const f = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const machine = runs[0]?.result.machine;
  const lines = [
    machine ? `machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpu}; PostgreSQL ${machine.postgres}; Node ${machine.node}; ${f(runs[0]!.result.events)} events per run` : 'no runs',
    '',
    'web  workers  events/s   COPY rows/s  ratio   p99 ms  CPU s web/workers/postgres/client  bottleneck',
  ];
  for (const run of runs) {
    const cpu = run.cpuSeconds;
    lines.push([
      String(run.web).padEnd(4), String(run.workers).padEnd(8), f(run.result.ingest.eventsPerSecond).padEnd(10), f(run.result.ceiling.rowsPerSecond).padEnd(12),
      `${f(run.result.ratio * 100, 1)}%`.padEnd(7), f(run.result.captureLatencyMs.p99, 1).padEnd(7),
      `${f(cpu.web, 1)}/${f(cpu.workers, 1)}/${f(cpu.postgres, 1)}/${f(cpu.benchClient, 1)}`.padEnd(32), run.bottleneck,
    ].join(' '));
  }
  return lines.join('\n');
}
