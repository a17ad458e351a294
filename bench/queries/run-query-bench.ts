import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProject } from '../../src/accounts/projects.ts';
import { backfillClickHouse } from '../../src/clickhouse/backfill-clickhouse.ts';
import { clickHouseIdentifier, clickHouseString } from '../../src/clickhouse/clickhouse-literal.ts';
import { migrateClickHouse } from '../../src/clickhouse/clickhouse-migrations.ts';
import { closeClickHouseStore, localEventsTable, localEventsTableName, openClickHouseStore, type ClickHouseStore } from '../../src/clickhouse/clickhouse-store.ts';
import { openConfiguredClickHouse } from '../../src/clickhouse/configured-store.ts';
import { startLoopbackCluster, type LoopbackCluster } from '../../src/clickhouse/loopback-cluster.ts';
import { loadConfig } from '../../src/config/config.ts';
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

export interface QueryBenchOptions {
  databaseUrl: string; events: number; runs: number; elements: string[]; log: (line: string) => void;
  /** clickhouse: the suite on Postgres (plain) beside a ClickHouse cluster holding the same events, instead of plain beside partitioned. */
  store: 'postgres' | 'clickhouse';
}

interface Timing { p50Ms: number; p95Ms: number }
export interface QueryTiming { name: string; trends: boolean; plain: Timing; partitioned?: Timing; clickhouse?: Timing & { readPostgres: boolean } }

export interface ClickHouseBenchInfo { version: string; shards: number; backfillSeconds: number; bytesPerEvent: number; postgresBytesPerEvent: number }

export interface QueryBenchResult { machine: MachineInfo; events: number; persons: number; loadSeconds: number; runs: number; elements: string[]; clickhouse?: ClickHouseBenchInfo; queries: QueryTiming[] }

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
    // all-visible, and index-only scans depend on that; a freshly copied one has not. Every
    // table, not the events alone: the rollups and persons were just written too, and reading
    // person_activity through the heap took DAU from 0.2 to 1.6 s. The vacuum dirties every
    // page it marks; a checkpoint writes them out before the timing, as a live install is not
    // writing them when someone opens a dashboard.
    const settle = async () => {
      options.log('vacuuming, as autovacuum would have');
      await pool.query('VACUUM ANALYZE');
      // CHECKPOINT needs a superuser or pg_checkpoint; without either the timing runs as it is.
      await pool.query('CHECKPOINT').catch((error: Error) => options.log(`no checkpoint: ${error.message}`));
    };
    await settle();
    const time = async (clickhouse?: ClickHouseStore) => {
      // Queries sent to ClickHouse are counted, so a query its printer does not cover yet (answered by Postgres) is marked as such.
      let sent = 0;
      const counted = clickhouse && { ...clickhouse, primary: { ...clickhouse.primary, query: <Row>(sql: string) => { sent++; return clickhouse.primary.query<Row>(sql); } } };
      const context = await createInsightContext(pool, project.id, new Date(), counted);
      const timings = new Map<string, Timing & { readPostgres: boolean }>();
      for (const query of suite) {
        sent = 0;
        await runInsight(context, query.filter);
        const readPostgres = clickhouse !== undefined && sent === 0;
        const times: number[] = [];
        for (let run = 0; run < options.runs; run++) {
          const started = performance.now();
          await runInsight(context, query.filter);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        timings.set(query.name, { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), readPostgres });
        options.log(`${query.name}: p50 ${timings.get(query.name)!.p50Ms.toFixed(0)} ms`);
      }
      return timings;
    };
    options.log('timing the suite on the plain table');
    const plain = await time();
    if (options.store === 'clickhouse') {
      const { info, timings } = await withBenchClickHouse(options.log, async (store) => {
        options.log('copying the events into ClickHouse (sounder clickhouse backfill)');
        const started = performance.now();
        await backfillClickHouse(pool, database.url, store, { projectIds: [project.id] });
        const backfillSeconds = (performance.now() - started) / 1000;
        const disk = await clickHouseDisk(store);
        const { rows: [pgSize] } = await pool.query<{ bytes: string }>("SELECT pg_total_relation_size('events') AS bytes");
        options.log('timing the suite on ClickHouse');
        return {
          info: { version: disk.version, shards: store.nodes.length, backfillSeconds, bytesPerEvent: disk.bytes / options.events, postgresBytesPerEvent: Number(pgSize!.bytes) / options.events },
          timings: await time(store),
        };
      });
      return {
        machine, events: options.events, persons, loadSeconds, runs: options.runs, elements: [], clickhouse: info,
        queries: suite.map((query) => ({ name: query.name, trends: query.trends, plain: plain.get(query.name)!, clickhouse: timings.get(query.name)! })),
      };
    }
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

/** Bytes on disk of the events' parts over every shard, and the servers' version. */
async function clickHouseDisk(store: ClickHouseStore): Promise<{ bytes: number; version: string }> {
  let bytes = 0;
  let version = '';
  for (const node of store.nodes) {
    await node.command(`OPTIMIZE TABLE ${localEventsTable(store)} FINAL`);
    const [row] = await node.query<{ bytes: string; version: string }>(`SELECT sum(bytes_on_disk) AS bytes, version() AS version FROM system.parts
      WHERE database = ${clickHouseString(store.database)} AND table = ${clickHouseString(localEventsTableName(store))} AND active`);
    bytes += Number(row?.bytes ?? 0);
    version = row?.version ?? version;
  }
  return { bytes, version };
}

/**
 * A fresh ClickHouse database for the bench: on the servers CLICKHOUSE_URL names, or else on a
 * two-shard cluster of Debian's clickhouse-server started on loopback for the run.
 */
async function withBenchClickHouse<T>(log: (line: string) => void, work: (store: ClickHouseStore) => Promise<T>): Promise<T> {
  const database = `sounder_bench_${randomBytes(4).toString('hex')}`;
  const config = loadConfig();
  let cluster: LoopbackCluster | undefined;
  let dir: string | undefined;
  let store: ClickHouseStore;
  if (config.clickhouseUrl) {
    store = openConfiguredClickHouse({ ...config, clickhouseDatabase: database })!;
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-bench-clickhouse-'));
    log('starting a two-shard ClickHouse cluster on loopback');
    cluster = await startLoopbackCluster(dir, 2);
    store = openClickHouseStore({ urls: cluster.urls, cluster: cluster.cluster, database });
  }
  try {
    await migrateClickHouse(store);
    return await work(store);
  } finally {
    for (const node of store.nodes) await node.command(`DROP DATABASE IF EXISTS ${clickHouseIdentifier(database)}`).catch(() => undefined);
    await closeClickHouseStore(store);
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatQueryReport(result: QueryBenchResult): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
  const second = result.clickhouse ? 'clickhouse' : 'partitioned';
  const lines = [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}; PostgreSQL ${result.machine.postgres}; Node ${result.machine.node}`,
    `dataset: ${result.events.toLocaleString('en-US')} standard-workload events, ${result.persons.toLocaleString('en-US')} distinct ids (loaded with COPY in ${result.loadSeconds.toFixed(0)} s); ${result.runs} runs after one warm-up`,
    result.clickhouse
      ? `clickhouse: ${result.clickhouse.shards} shards, ClickHouse ${result.clickhouse.version}; backfilled in ${result.clickhouse.backfillSeconds.toFixed(0)} s (${(result.events / result.clickhouse.backfillSeconds).toFixed(0)} events/s); ${result.clickhouse.bytesPerEvent.toFixed(1)} bytes per event on disk (Postgres: ${result.clickhouse.postgresBytesPerEvent.toFixed(1)} with indexes)`
      : `partitioned: --element ${result.elements.join(' --element ')}, weekly`,
    '',
    `${'query'.padEnd(36)} ${'plain p50'.padStart(9)} ${'p95'.padStart(9)}   ${(result.clickhouse ? 'CH p50' : 'part. p50').padStart(9)} ${'p95'.padStart(9)}   target`,
  ];
  for (const query of result.queries) {
    const other = (query.clickhouse ?? query.partitioned)!;
    const target = result.clickhouse ? 150 : query.trends ? 300 : 1000;
    const met = (result.clickhouse ? other.p95Ms : Math.max(query.plain.p95Ms, other.p95Ms)) <= target ? 'met' : 'missed';
    const note = query.clickhouse?.readPostgres ? ' (answered by Postgres: not printed for ClickHouse yet)' : '';
    lines.push(`${query.name.padEnd(36)} ${ms(query.plain.p50Ms)} ${ms(query.plain.p95Ms)}   ${ms(other.p50Ms)} ${ms(other.p95Ms)}   ${second} p95 <= ${target} ms: ${met}${note}`);
  }
  return lines.join('\n');
}
