import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createPool, runQuery } from '../db/pool.ts';
import { duckdbLiteral } from './duckdb-literal.ts';
import { pendingWeeks, recordExportedWeek } from './pending-weeks.ts';
import { clickHouseWeekRows } from './clickhouse-week-rows.ts';
import { postgresWeekRows, writeWeekParquet } from './write-week-parquet.ts';

export interface LakeExportOptions {
  /** The lake's root directory; weeks are tracked per directory, so a new one starts afresh. */
  destination: string;
  since?: Date;
  /** Every project when absent. */
  projectIds?: number[];
  graceDays: number;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
  /** The events store, when events live in ClickHouse. */
  clickhouse?: ClickHouseStore;
}

export interface ExportedWeek { projectId: number; week: string; rows: number; files: number }
export interface LakeExportResult { destination: string; weeks: ExportedWeek[]; rows: number; busy: boolean }

// Another export (the CLI, or a worker's maintenance loop) holding this skips the run.
const exportLock = "hashtext('sounder.lake_export')";

/** Moves each `project_id=/event=/week=` directory of the staging tree into the lake, replacing one left by an interrupted run. */
function moveIntoLake(staging: string, destination: string): number {
  let files = 0;
  for (const project of fs.readdirSync(staging)) {
    for (const event of fs.readdirSync(path.join(staging, project))) {
      for (const week of fs.readdirSync(path.join(staging, project, event))) {
        const from = path.join(staging, project, event, week);
        const to = path.join(destination, project, event, week);
        files += fs.readdirSync(from).filter((name) => name.endsWith('.parquet')).length;
        fs.rmSync(to, { recursive: true, force: true });
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.renameSync(from, to);
      }
    }
  }
  return files;
}

/**
 * Writes every sealed week not yet in the lake, a week at a time: Parquet into a staging
 * directory beside the lake, moved into place, then recorded in Postgres. A crash between
 * the move and the record only means that week is written again, over itself.
 */
export async function exportToLake(databaseUrl: string, options: LakeExportOptions): Promise<LakeExportResult> {
  const destination = path.resolve(options.destination);
  // Two connections: one holds the session lock, the other does the work.
  const pool = createPool(databaseUrl, 2, 'sounder-export');
  const lock = await pool.connect();
  const client = await pool.connect();
  try {
    const { rows: [held] } = await runQuery<{ locked: boolean }>(lock, 'lake.lock', `SELECT pg_try_advisory_lock(${exportLock}) AS locked`);
    if (!held!.locked) return { destination, weeks: [], rows: 0, busy: true };
    try {
      const projectIds = options.projectIds ?? (await runQuery<{ id: number }>(client, 'lake.projects', 'SELECT id FROM projects ORDER BY id')).rows.map((row) => row.id);
      const plan: Array<{ projectId: number; week: Date }> = [];
      for (const projectId of projectIds) {
        const weeks = await pendingWeeks(client, projectId, destination, { since: options.since, now: options.now ?? new Date(), graceDays: options.graceDays, clickhouse: options.clickhouse });
        plan.push(...weeks.map((week) => ({ projectId, week })));
      }
      const exported: ExportedWeek[] = [];
      if (plan.length === 0) return { destination, weeks: exported, rows: 0, busy: false };

      fs.mkdirSync(destination, { recursive: true });
      // Beside the lake, so moving a week in is a rename; a dot name, which lake readers skip.
      const scratch = fs.mkdtempSync(path.join(destination, '.sounder-export-'));
      const duckdb = await DuckDBInstance.create(':memory:');
      const duck = await duckdb.connect();
      try {
        await duck.run(`SET memory_limit = '1GB'`);
        await duck.run(`SET temp_directory = ${duckdbLiteral(path.join(scratch, 'spill'))}`);
        for (const [index, { projectId, week }] of plan.entries()) {
          const staging = path.join(scratch, `week-${index}`);
          const source = options.clickhouse ? clickHouseWeekRows(options.clickhouse, projectId, week) : postgresWeekRows(client, projectId, week);
          const rows = await writeWeekParquet(source, duck, staging);
          const files = rows > 0 ? moveIntoLake(staging, destination) : 0;
          await recordExportedWeek(client, { projectId, destination, week, rows, files });
          exported.push({ projectId, week: week.toISOString().slice(0, 10), rows, files });
          options.onProgress?.(index + 1, plan.length);
        }
      } finally {
        duck.closeSync();
        duckdb.closeSync();
        fs.rmSync(scratch, { recursive: true, force: true });
      }
      return { destination, weeks: exported, rows: exported.reduce((sum, week) => sum + week.rows, 0), busy: false };
    } finally {
      await runQuery(lock, 'lake.unlock', `SELECT pg_advisory_unlock(${exportLock})`);
    }
  } finally {
    client.release();
    lock.release();
    await pool.end();
  }
}
