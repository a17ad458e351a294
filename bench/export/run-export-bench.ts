import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { createProject } from '../../src/accounts/projects.ts';
import { createPool } from '../../src/db/pool.ts';
import { exportToLake } from '../../src/lake/export-to-lake.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';
import { loadWorkloadEvents } from '../partition/load-events.ts';
import { derivePersons } from '../queries/derive-persons.ts';
import { createBenchDatabase } from '../sounder-processes.ts';

export interface ExportBenchOptions { databaseUrl: string; events: number; log: (line: string) => void }

export interface ExportBenchResult {
  machine: MachineInfo;
  events: number;
  weeks: number;
  files: number;
  /** `sounder export` of every week, Parquet on disk. */
  export: { seconds: number; eventsPerSecond: number; bytesPerEvent: number };
  /** The ceiling beside it: a raw COPY of the events table to nowhere, in the same run. */
  rawCopy: { seconds: number; eventsPerSecond: number };
  ratioToRawCopy: number;
  /** The events table with its indexes, for the size comparison. */
  postgresBytesPerEvent: number;
}

function directoryBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

/**
 * Loads the standard workload into a database of its own and exports all of it to a fresh
 * lake directory, timed beside a raw COPY of the same table so the ratio survives a noisy machine.
 */
export async function runExportBench(options: ExportBenchOptions): Promise<ExportBenchResult> {
  const database = await createBenchDatabase(options.databaseUrl, 'export');
  const pool = createPool(database.url, 4, 'sounder-bench');
  const lake = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-bench-lake-'));
  try {
    const machine = await describeMachine(pool);
    const project = await createProject(pool, 'export bench');
    options.log(`loading ${options.events} standard-workload events`);
    await loadWorkloadEvents(pool, project.id, { events: options.events, seed: 1, spanDays: 56 }, options.log);
    await derivePersons(pool, project.id);
    await pool.query('VACUUM ANALYZE events');

    options.log('raw COPY of the events table');
    const client = await pool.connect();
    let started = performance.now();
    try {
      await pipeline(client.query(copyTo('COPY events TO STDOUT')), new Writable({ write: (_chunk, _encoding, done) => done() }));
    } finally {
      client.release();
    }
    const rawSeconds = (performance.now() - started) / 1000;

    options.log('sounder export of every sealed week');
    started = performance.now();
    const result = await exportToLake(database.url, { destination: lake, graceDays: 0, now: new Date(Date.now() + 14 * 86_400_000), projectIds: [project.id] });
    const exportSeconds = (performance.now() - started) / 1000;
    if (result.rows !== options.events) throw new Error(`exported ${result.rows} of ${options.events} events`);
    const onDisk = directoryBytes(lake);
    const { rows: [size] } = await pool.query<{ bytes: string }>("SELECT pg_total_relation_size('events') AS bytes");
    return {
      machine, events: options.events, weeks: result.weeks.filter((week) => week.rows > 0).length, files: onDisk.files,
      export: { seconds: exportSeconds, eventsPerSecond: options.events / exportSeconds, bytesPerEvent: onDisk.bytes / options.events },
      rawCopy: { seconds: rawSeconds, eventsPerSecond: options.events / rawSeconds },
      ratioToRawCopy: rawSeconds / exportSeconds,
      postgresBytesPerEvent: Number(size!.bytes) / options.events,
    };
  } finally {
    await pool.end();
    await database.drop().catch(() => undefined);
    fs.rmSync(lake, { recursive: true, force: true });
  }
}

export function formatExportReport(result: ExportBenchResult): string {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  return [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}; PostgreSQL ${result.machine.postgres}; Node ${result.machine.node}`,
    `${result.events.toLocaleString('en-US')} events, ${result.weeks} weeks, ${result.files} Parquet files`,
    `sounder export: ${result.export.seconds.toFixed(1)} s, ${rate(result.export.eventsPerSecond)} events/s, ${result.export.bytesPerEvent.toFixed(1)} bytes/event on disk`,
    `raw COPY of events: ${result.rawCopy.seconds.toFixed(1)} s, ${rate(result.rawCopy.eventsPerSecond)} events/s`,
    `export rate / raw COPY rate: ${result.ratioToRawCopy.toFixed(2)}`,
    `PostgreSQL events table with indexes: ${result.postgresBytesPerEvent.toFixed(1)} bytes/event`,
  ].join('\n');
}
