import type { Command } from 'commander';
import { formatFlagsReport, runFlagsBench } from '../../bench/flags/run-flags-bench.ts';
import { formatIngestReport, runIngestBench } from '../../bench/ingest/run-ingest-bench.ts';
import { formatPartitionReport, runPartitionBench } from '../../bench/partition/run-partition-bench.ts';
import { formatDashboardReport, runDashboardBench } from '../../bench/dashboard/run-dashboard-bench.ts';
import { formatQueryReport, runQueryBench } from '../../bench/queries/run-query-bench.ts';
import { formatScaleReport, runScaleBench } from '../../bench/scale/run-scale-bench.ts';
import { formatSustainReport, runSustainBench } from '../../bench/sustain/run-sustain-bench.ts';
import { withConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig } from '../config/config.ts';
import type { Pool } from '../db/pool.ts';
import { printJson } from './output.ts';
import { withDatabase } from './with-database.ts';

const positiveInt = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return number;
};

const logToStderr = (line: string) => process.stderr.write(`${line}\n`);

/** Runs a benchmark against the database every command uses, then prints its table or JSON. */
async function runBench<R>(json: boolean | undefined, run: (pool: Pool, url: string) => Promise<R>, format: (result: R) => string): Promise<void> {
  const result = await withDatabase(loadConfig(), run);
  if (json) printJson(result);
  else console.log(format(result));
}

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks (see WORKLOAD.md): results as a table, or JSON with --json');
  bench.command('ingest')
    .description('send the standard workload to a running Sounder over HTTP and report events/s beside a raw COPY of the same rows (with CLICKHOUSE_URL, the events are counted in ClickHouse)')
    .option('--events <n>', 'events to send', positiveInt('--events'), 1_000_000)
    .option('--url <url>', 'the running Sounder to send to', 'http://localhost:8000')
    .option('--connections <n>', 'concurrent HTTP connections', positiveInt('--connections'), 8)
    .option('--seed <n>', 'workload seed', positiveInt('--seed'), 1)
    .option('--span-days <n>', 'days the events are spread over', positiveInt('--span-days'), 56)
    .option('--json', 'print the result as JSON')
    .action(async (options: { events: number; url: string; connections: number; seed: number; spanDays: number; json?: boolean }) => {
      // With CLICKHOUSE_URL the running Sounder stores events there: they are counted there.
      await withConfiguredClickHouse(loadConfig(), (clickhouse) => runBench(options.json, (pool) => runIngestBench(pool, { ...options, clickhouse, log: logToStderr }), formatIngestReport));
    });
  bench.command('scale')
    .description('for each count of web and worker processes: start them against a fresh database of their own, run the ingest benchmark, and attribute CPU to web, workers, PostgreSQL and the load generator')
    .option('--events <n>', 'events per run', positiveInt('--events'), 300_000)
    .option('--web <list>', 'web process counts to try', '1,2,4')
    .option('--workers <list>', 'worker process counts to try', '1,2,4')
    .option('--port <port>', 'port for the web processes under test', positiveInt('--port'), 8390)
    .option('--json', 'print the runs as JSON')
    .action(async (options: { events: number; web: string; workers: string; port: number; json?: boolean }) => {
      const counts = (flag: string, value: string) => value.split(',').map((item) => positiveInt(flag)(item.trim()));
      await runBench(options.json, (_pool, url) => runScaleBench({
        databaseUrl: url,
        events: options.events,
        webCounts: counts('--web', options.web),
        workerCounts: counts('--workers', options.workers),
        port: options.port,
        log: logToStderr,
      }), formatScaleReport);
    });
  bench.command('sustain')
    .description('send the standard workload to a running Sounder at a fixed share of the COPY ceiling for some minutes; report the backlog and worker memory over time')
    .option('--minutes <n>', 'how long to send', positiveInt('--minutes'), 10)
    .option('--percent <n>', 'target rate as a percentage of the raw-COPY ceiling', positiveInt('--percent'), 60)
    .option('--url <url>', 'the running Sounder to send to', 'http://localhost:8000')
    .option('--pool-events <n>', 'events prepared once and replayed (as new events) until time is up', positiveInt('--pool-events'), 500_000)
    .option('--connections <n>', 'concurrent HTTP connections', positiveInt('--connections'), 8)
    .option('--json', 'print the result as JSON')
    .action(async (options: { minutes: number; percent: number; url: string; poolEvents: number; connections: number; json?: boolean }) => {
      await runBench(options.json, (pool) => runSustainBench(pool, {
        url: options.url, minutes: options.minutes, fraction: options.percent / 100, poolEvents: options.poolEvents, connections: options.connections, log: logToStderr,
      }), formatSustainReport);
    });
  bench.command('partition')
    .description('load the standard workload into a database of its own, convert it with --element while ingestion runs and back with --reverse; report times, lock waits, counts, and query speed plain against partitioned')
    .option('--events <n>', 'events to load before converting', positiveInt('--events'), 1_000_000)
    .option('--element <event>', 'events given their own partition (default: $pageview and $autocapture)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--rate <n>', 'events/s sent while the conversions run', positiveInt('--rate'), 1000)
    .option('--port <port>', 'port for the web process under test', positiveInt('--port'), 8391)
    .option('--span-days <n>', 'days the events are spread over', positiveInt('--span-days'), 56)
    .option('--json', 'print the result as JSON')
    .action(async (options: { events: number; element: string[]; rate: number; port: number; spanDays: number; json?: boolean }) => {
      const elements = options.element.length > 0 ? options.element : ['$pageview', '$autocapture'];
      await runBench(options.json, (_pool, url) => runPartitionBench({ ...options, databaseUrl: url, elements, log: logToStderr }), formatPartitionReport);
    });
  bench.command('queries')
    .description('load the standard workload into a database of its own and time the insight suite (trends, funnel, retention, paths, lifecycle): p50 and p95, plain and partitioned, or with --store clickhouse, Postgres beside ClickHouse')
    .option('--events <n>', 'events to load', positiveInt('--events'), 1_000_000)
    .option('--runs <n>', 'timed runs per query after one warm-up', positiveInt('--runs'), 5)
    .option('--element <event>', 'events given their own partition (default: $pageview and $autocapture)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--store <store>', 'postgres: plain beside partitioned; clickhouse: Postgres beside the same events in ClickHouse (on CLICKHOUSE_URL, or a two-shard cluster started on loopback)', 'postgres')
    .option('--json', 'print the result as JSON')
    .action(async (options: { events: number; runs: number; element: string[]; store: string; json?: boolean }) => {
      if (options.store !== 'postgres' && options.store !== 'clickhouse') throw new Error(`--store must be postgres or clickhouse, not ${JSON.stringify(options.store)}`);
      const store = options.store;
      const elements = options.element.length > 0 ? options.element : ['$pageview', '$autocapture'];
      await runBench(options.json, (_pool, url) => runQueryBench({ databaseUrl: url, events: options.events, runs: options.runs, elements, store, log: logToStderr }), formatQueryReport);
    });
  bench.command('dashboard')
    .description('load the standard workload into a database of its own, save a dashboard of 6 tiles (trends, breakdown, funnel, retention, paths, lifecycle), warm its cache, and time opening it in Chromium until every tile is drawn')
    .option('--events <n>', 'events to load', positiveInt('--events'), 1_000_000)
    .option('--runs <n>', 'timed page loads after one warm-up', positiveInt('--runs'), 10)
    .option('--json', 'print the result as JSON')
    .action(async (options: { events: number; runs: number; json?: boolean }) => {
      await runBench(options.json, (_pool, url) => runDashboardBench({ databaseUrl: url, events: options.events, runs: options.runs, log: logToStderr }), formatDashboardReport);
    });
  bench.command('export')
    .description('load the standard workload into a database of its own and time `sounder export` of all of it to Parquet, beside a raw COPY of the events table; bytes per event in Parquet and in PostgreSQL')
    .option('--events <n>', 'events to load', positiveInt('--events'), 1_000_000)
    .option('--json', 'print the result as JSON')
    .action(async (options: { events: number; json?: boolean }) => {
      // Imported here: DuckDB is a large native library every other command can do without.
      const { formatExportReport, runExportBench } = await import('../../bench/export/run-export-bench.ts');
      await runBench(options.json, (_pool, url) => runExportBench({ databaseUrl: url, events: options.events, log: logToStderr }), formatExportReport);
    });
  bench.command('flags')
    .description('start a web process over a project with many flags and the persons of the standard workload; report /flags req/s and p50/p95/p99 at each concurrency, beside /_health on the same process')
    .option('--events <n>', 'standard-workload events whose persons are loaded', positiveInt('--events'), 200_000)
    .option('--flags <n>', 'flags in the project', positiveInt('--flags'), 50)
    .option('--seconds <n>', 'seconds of load per concurrency', positiveInt('--seconds'), 20)
    .option('--connections <list>', 'closed loop: concurrent connections to try, each sending again as soon as answered', '1,8,32')
    .option('--percent <list>', 'open loop: fixed rates to try, as percentages of the best closed-loop rate', '25,50')
    .option('--port <port>', 'port for the web process under test', positiveInt('--port'), 8392)
    .option('--json', 'print the result as JSON')
    .action(async (options: { events: number; flags: number; seconds: number; connections: string; percent: string; port: number; json?: boolean }) => {
      const list = (flag: string, value: string) => value.split(',').map((item) => positiveInt(flag)(item.trim()));
      const connections = list('--connections', options.connections);
      const percents = list('--percent', options.percent);
      await runBench(options.json, (_pool, url) => runFlagsBench({ ...options, connections, percents, databaseUrl: url, log: logToStderr }), formatFlagsReport);
    });
}
