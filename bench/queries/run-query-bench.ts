import { createProject } from '../../src/accounts/projects.ts';
import { createPool } from '../../src/db/pool.ts';
import { convertEvents } from '../../src/partition/convert-events.ts';
import { weeklyLayout } from '../../src/partition/event-layout.ts';
import { createInsightContext } from '../../src/query/insight-context.ts';
import { runInsight } from '../../src/query/run-insight.ts';
import { percentile } from '../ingest/send-requests.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';
import { loadWorkloadEvents } from '../partition/load-events.ts';
import { createBenchDatabase } from '../sounder-processes.ts';
import { derivePersons } from './derive-persons.ts';
import { querySuite } from './query-suite.ts';

export interface QueryBenchOptions { databaseUrl: string; events: number; runs: number; elements: string[]; log: (line: string) => void }

export interface QueryTiming { name: string; trends: boolean; plain: { p50Ms: number; p95Ms: number }; partitioned: { p50Ms: number; p95Ms: number } }

export interface QueryBenchResult { machine: MachineInfo; events: number; persons: number; loadSeconds: number; runs: number; elements: string[]; queries: QueryTiming[] }

/**
 * WORKLOAD.md's query benchmark: the insight suite over the standard workload, timed through
 * the engine (no HTTP, no cache): one warm-up, then `runs` runs each, on the plain table and
 * again after partitioning it with `elements`, in one run on one database of its own.
 */
export async function runQueryBench(options: QueryBenchOptions): Promise<QueryBenchResult> {
  const database = await createBenchDatabase(options.databaseUrl, 'queries');
  const pool = createPool(database.url, 4, 'sounder-bench');
  try {
    const machine = await describeMachine(pool);
    const project = await createProject(pool, 'query bench');
    options.log(`loading ${options.events} standard-workload events`);
    const loadSeconds = await loadWorkloadEvents(pool, project.id, { events: options.events, seed: 1, spanDays: 56 }, options.log);
    const persons = await derivePersons(pool, project.id);
    const { rows: [last] } = await pool.query<{ day: string }>("SELECT to_char(max(timestamp) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM events");
    const suite = querySuite(last!.day);
    // A table that has been live a while has been vacuumed by autovacuum, which marks its pages
    // all-visible, and index-only scans depend on that; a freshly copied one has not.
    const settle = async () => {
      options.log('vacuuming, as autovacuum would have');
      await pool.query('VACUUM ANALYZE events');
    };
    await settle();
    const time = async () => {
      const context = await createInsightContext(pool, project.id);
      const timings = new Map<string, { p50Ms: number; p95Ms: number }>();
      for (const query of suite) {
        await runInsight(context, query.filter);
        const times: number[] = [];
        for (let run = 0; run < options.runs; run++) {
          const started = performance.now();
          await runInsight(context, query.filter);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        timings.set(query.name, { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95) });
        options.log(`${query.name}: p50 ${timings.get(query.name)!.p50Ms.toFixed(0)} ms`);
      }
      return timings;
    };
    options.log('timing the suite on the plain table');
    const plain = await time();
    options.log(`partitioning with --element ${options.elements.join(' --element ')}`);
    await convertEvents(database.url, { target: weeklyLayout(options.elements) });
    await settle();
    options.log('timing the suite on the partitioned table');
    const partitioned = await time();
    return {
      machine, events: options.events, persons, loadSeconds, runs: options.runs, elements: options.elements,
      queries: suite.map((query) => ({ name: query.name, trends: query.trends, plain: plain.get(query.name)!, partitioned: partitioned.get(query.name)! })),
    };
  } finally {
    await pool.end();
    await database.drop().catch(() => undefined);
  }
}

export function formatQueryReport(result: QueryBenchResult): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
  const lines = [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}; PostgreSQL ${result.machine.postgres}; Node ${result.machine.node}`,
    `dataset: ${result.events.toLocaleString('en-US')} standard-workload events, ${result.persons.toLocaleString('en-US')} distinct ids (loaded with COPY in ${result.loadSeconds.toFixed(0)} s); ${result.runs} runs after one warm-up`,
    `partitioned: --element ${result.elements.join(' --element ')}, weekly`,
    '',
    `${'query'.padEnd(36)} ${'plain p50'.padStart(9)} ${'p95'.padStart(9)}   ${'part. p50'.padStart(9)} ${'p95'.padStart(9)}   target`,
  ];
  for (const query of result.queries) {
    const target = query.trends ? 300 : 1000;
    const met = Math.max(query.plain.p95Ms, query.partitioned.p95Ms) <= target ? 'met' : 'missed';
    lines.push(`${query.name.padEnd(36)} ${ms(query.plain.p50Ms)} ${ms(query.plain.p95Ms)}   ${ms(query.partitioned.p50Ms)} ${ms(query.partitioned.p95Ms)}   p95 <= ${target} ms: ${met}`);
  }
  return lines.join('\n');
}
