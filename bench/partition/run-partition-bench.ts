import { createProject } from '../../src/accounts/projects.ts';
import { createPool } from '../../src/db/pool.ts';
import { convertEvents, type ConversionOutcome } from '../../src/partition/convert-events.ts';
import { plainLayout, weeklyLayout, type EventLayout } from '../../src/partition/event-layout.ts';
import { addWeeks, weekStart } from '../../src/partition/weeks.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';
import { createBenchDatabase, startRole, stopRole, waitUntil } from '../sounder-processes.ts';
import { timeEventQueries, type QueryTimes } from './event-queries.ts';
import { loadWorkloadEvents } from './load-events.ts';
import { startSteadyLoad, type LatencyStats } from './steady-load.ts';

export interface PartitionBenchOptions { databaseUrl: string; events: number; elements: string[]; rate: number; port: number; spanDays: number; log: (line: string) => void }

export interface ConversionRun {
  target: EventLayout;
  seconds: number;
  phases: { copying: number; indexing: number; catchingUp: number };
  rowsCopied: number;
  changesReplayed: number;
  captureLockMs: number;
  switchWaitMs: number;
  switchLockMs: number;
  switchAttempts: number;
  switchBlockedBy: string[];
  /** Events acknowledged from 15 s before the conversion until it ended. */
  ingestedDuring: number;
  failedRequests: number;
  /** Request-to-stored latency of probe events in the 15 s before the conversion, and during it. */
  latencyBefore: LatencyStats;
  latencyDuring: LatencyStats;
  rowsBefore: number;
  rowsAfter: number;
  nothingLost: boolean;
}

export interface PartitionBenchResult {
  machine: MachineInfo;
  events: number;
  loadSeconds: number;
  rate: number;
  conversions: ConversionRun[];
  queries: { week: string; plain: QueryTimes; partitioned: QueryTimes; speedup: { oneWeekCount: number; fourWeekBreakdown: number } };
}

/**
 * WORKLOAD.md's partition benchmark, on a database of its own: load the standard workload,
 * time two queries, convert with `--element`s while ingestion runs at `rate` events/s, time the
 * queries again, convert back with `--reverse` under the same load, and check every count.
 */
export async function runPartitionBench(options: PartitionBenchOptions): Promise<PartitionBenchResult> {
  const database = await createBenchDatabase(options.databaseUrl, 'partition');
  const pool = createPool(database.url, 4, 'sounder-bench');
  try {
    const machine = await describeMachine(pool);
    const project = await createProject(pool, 'partition bench');
    options.log(`loading ${options.events} standard-workload events`);
    const loadSeconds = await loadWorkloadEvents(pool, project.id, { events: options.events, seed: 1, spanDays: options.spanDays }, options.log);
    const { rows: [span] } = await pool.query<{ last: Date }>('SELECT max(timestamp) AS last FROM events');
    // The last full week of the data.
    const week = addWeeks(weekStart(span!.last), -1);
    options.log(`timing queries on the plain table (week of ${week.toISOString().slice(0, 10)})`);
    const plain = await timeEventQueries(pool, project.id, week);

    const web = startRole(['web', '--port', String(options.port), '--host', '127.0.0.1'], database.url);
    const worker = startRole(['worker'], database.url);
    const conversions: ConversionRun[] = [];
    let partitioned: QueryTimes | undefined;
    try {
      const url = `http://127.0.0.1:${options.port}`;
      await waitUntil(async () => (await fetch(`${url}/_health`)).ok, 'the web process');
      for (const target of [weeklyLayout(options.elements), plainLayout]) {
        const count = async () => (await pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM events')).rows[0]!.n;
        const rowsBefore = await count();
        const load = startSteadyLoad(url, pool, project.api_token, project.id, options.rate);
        await new Promise((resolve) => setTimeout(resolve, 15_000));
        const latencyBefore = load.window();
        options.log(`converting to ${target.kind === 'plain' ? 'one plain table' : `--element ${options.elements.join(' --element ')}`} while ingesting ${options.rate} events/s`);
        let lastLine = 0;
        const outcome: ConversionOutcome = await convertEvents(database.url, {
          target,
          onStep: options.log,
          onProgress: ({ step, done, total }) => {
            if (performance.now() - lastLine < 10_000) return;
            lastLine = performance.now();
            options.log(`${step}: ${done}/${total}`);
          },
        });
        const latencyDuring = load.window();
        const sent = await load.stop();
        await waitUntil(async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingestion_buffer')).rows[0]!.n === 0, 'the buffer to drain');
        const rowsAfter = await count();
        if (!outcome.changed) throw new Error('the conversion found nothing to change');
        conversions.push({
          target, seconds: outcome.seconds.total, phases: outcome.seconds, rowsCopied: outcome.rowsCopied, changesReplayed: outcome.changesReplayed,
          captureLockMs: outcome.captureLockMs, switchWaitMs: outcome.switchWaitMs, switchLockMs: outcome.switchLockMs, switchAttempts: outcome.switchAttempts, switchBlockedBy: outcome.switchBlockedBy,
          ingestedDuring: sent.acknowledged, failedRequests: sent.failedRequests, latencyBefore, latencyDuring,
          rowsBefore, rowsAfter, nothingLost: rowsAfter === rowsBefore + sent.acknowledged,
        });
        if (target.kind !== 'plain') {
          options.log('timing queries on the partitioned table');
          partitioned = await timeEventQueries(pool, project.id, week);
        }
      }
    } finally {
      await Promise.all([stopRole(web), stopRole(worker)]);
    }
    return {
      machine,
      events: options.events,
      loadSeconds,
      rate: options.rate,
      conversions,
      queries: {
        week: week.toISOString().slice(0, 10),
        plain,
        partitioned: partitioned!,
        speedup: { oneWeekCount: plain.oneWeekCountMs / partitioned!.oneWeekCountMs, fourWeekBreakdown: plain.fourWeekBreakdownMs / partitioned!.fourWeekBreakdownMs },
      },
    };
  } finally {
    await pool.end();
    await database.drop().catch(() => undefined);
  }
}

export function formatPartitionReport(result: PartitionBenchResult): string {
  const f = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const lines = [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}; PostgreSQL ${result.machine.postgres}; Node ${result.machine.node}`,
    `dataset: ${f(result.events)} standard-workload events (loaded with COPY in ${f(result.loadSeconds, 1)} s); ingestion during conversions: ${f(result.rate)} events/s`,
    '',
  ];
  for (const run of result.conversions) {
    lines.push(`${run.target.kind === 'plain' ? '--reverse' : `--element ${run.target.events.join(' --element ')}`}`,
      `  time                     ${f(run.seconds, 1)} s (copy ${f(run.phases.copying, 1)} s, indexes ${f(run.phases.indexing, 1)} s, catch-up + switch ${f(run.phases.catchingUp, 1)} s)`,
      `  rows copied / replayed   ${f(run.rowsCopied)} / ${f(run.changesReplayed)}`,
      `  inserts held off         ${f(run.captureLockMs, 1)} ms (capture start), ${f(run.switchWaitMs + run.switchLockMs, 1)} ms (switch-over in ${run.switchAttempts} attempt${run.switchAttempts === 1 ? '' : 's'}; lock held ${f(run.switchLockMs, 1)} ms)${run.switchBlockedBy.length ? `; attempts given up while held by ${[...new Set(run.switchBlockedBy)].join(', ')}` : ''}`,
      `  ingest latency (ms)      p50 / p99 / max ${f(run.latencyDuring.p50Ms)} / ${f(run.latencyDuring.p99Ms)} / ${f(run.latencyDuring.maxMs)} during (${run.latencyDuring.probes} probes); ${f(run.latencyBefore.p50Ms)} / ${f(run.latencyBefore.p99Ms)} / ${f(run.latencyBefore.maxMs)} in the 15 s before`,
      `  events                   ${f(run.rowsBefore)} before + ${f(run.ingestedDuring)} ingested during = ${f(run.rowsAfter)} after: ${run.nothingLost ? 'nothing lost or duplicated' : 'MISMATCH'}${run.failedRequests ? ` (${run.failedRequests} failed requests)` : ''}`);
  }
  const q = result.queries;
  lines.push('', `queries (median of 5, week of ${q.week})   plain      partitioned   speed-up`,
    `  one week, one event count              ${f(q.plain.oneWeekCountMs, 1).padStart(8)} ms ${f(q.partitioned.oneWeekCountMs, 1).padStart(8)} ms   ${f(q.speedup.oneWeekCount, 1)}x`,
    `  four-week daily breakdown by $browser  ${f(q.plain.fourWeekBreakdownMs, 1).padStart(8)} ms ${f(q.partitioned.fourWeekBreakdownMs, 1).padStart(8)} ms   ${f(q.speedup.fourWeekBreakdown, 1)}x`);
  return lines.join('\n');
}
