import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { exportToLake } from '../src/lake/export-to-lake.ts';
import { MaintenanceLoop } from '../src/partition/maintenance-loop.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const run = promisify(execFile);
let server: TestServer;
let lake: string;
let otherProject: number;
const odd = 'it\'s "odd"/ünïcode';

async function capture(token: string, batch: object[]) {
  expect((await sendCapture(server.url, { api_key: token, batch })).status).toBe(200);
  await server.drained();
}

async function readLake(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const glob = path.join(dir, 'project_id=*', '**', '*.parquet').replace(/'/g, "''");
    await connection.run(`CREATE VIEW lake AS SELECT * FROM read_parquet('${glob}', hive_partitioning = true)`);
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  server = await startTestServer();
  lake = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-lake-'));
  const token = server.project.api_token;
  await capture(token, [
    { event: '$pageview', distinct_id: 'anon-1', timestamp: '2026-10-05T09:00:00Z', properties: { $process_person_profile: false, $current_url: 'https://a.example/', $browser: 'Firefox' } },
    { event: '$pageview', distinct_id: 'u-2', timestamp: '2026-10-06T09:00:00Z', properties: { $current_url: 'https://a.example/pricing', $browser: 'Chrome', nested: { a: [1, 2] } } },
    { event: odd, distinct_id: 'u-2', timestamp: '2026-10-11T23:59:59Z', properties: { note: 'end of week' } },
    { event: '$identify', distinct_id: 'user-1', timestamp: '2026-10-13T10:00:00Z', properties: { $anon_distinct_id: 'anon-1' } },
    { event: 'purchase', distinct_id: 'user-1', timestamp: '2026-10-14T10:00:00Z', properties: { amount: 12.5 } },
    { event: 'purchase', distinct_id: 'user-1', timestamp: '2026-10-20T10:00:00Z', properties: { amount: 3 } },
  ]);
  const other = await createProject(server.db.pool, 'Other');
  otherProject = other.id;
  await capture(other.api_token, [{ event: 'secret', distinct_id: 'x', timestamp: '2026-10-07T10:00:00Z' }]);
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(lake, { recursive: true, force: true });
});

describe('data lake export', () => {
  it('writes each sealed week as Hive-style Parquet that DuckDB reads back whole', async () => {
    const result = await exportToLake(server.db.url, { destination: lake, graceDays: 1, now: new Date('2026-10-21T00:00:00Z'), projectIds: [server.project.id], clickhouse: server.clickhouse });
    expect(result.weeks.map((week) => [week.week, week.rows])).toEqual([['2026-10-05', 3], ['2026-10-12', 2]]);
    const p = server.project.id;
    expect(fs.existsSync(path.join(lake, `project_id=${p}`, 'event=%24pageview', 'week=2026-10-05', 'part-0.parquet'))).toBe(true);
    expect(fs.readdirSync(path.join(lake, `project_id=${p}`)).sort()).toEqual([`event=${encodeURIComponent(odd).replace(/'/g, '%27')}`, 'event=%24identify', 'event=%24pageview', 'event=purchase'].sort());
    expect(fs.readdirSync(lake).filter((name) => name.startsWith('.'))).toEqual([]);

    const rows = await readLake(lake, 'SELECT event, distinct_id, CAST(week AS VARCHAR) AS week, current_url, browser, properties, person_id, CAST(timestamp AS VARCHAR) AS ts FROM lake ORDER BY timestamp');
    expect(rows.map((row) => [row.event, row.distinct_id, row.week, row.current_url, row.browser])).toEqual([
      ['$pageview', 'anon-1', '2026-10-05', 'https://a.example/', 'Firefox'],
      ['$pageview', 'u-2', '2026-10-05', 'https://a.example/pricing', 'Chrome'],
      [odd, 'u-2', '2026-10-05', null, null],
      ['$identify', 'user-1', '2026-10-12', null, null],
      ['purchase', 'user-1', '2026-10-12', null, null],
    ]);
    expect(JSON.parse(rows[1]!.properties as string).nested).toEqual({ a: [1, 2] });
    expect(rows[2]!.ts).toMatch(/^2026-10-11 23:59:59/);
    // The anonymous pageview belongs to the person it was later identified as.
    const { rows: [person] } = await runQuery<{ uuid: string }>(server.db.pool, 'test.person', "SELECT person_uuid::text AS uuid FROM person_distinct_ids WHERE distinct_id = 'user-1'");
    expect(rows[0]!.person_id).toBe(person!.uuid);
    expect(rows[4]!.person_id).toBe(person!.uuid);
  });

  it('writes only new sealed weeks on the next run, and never another project\'s events', async () => {
    const before = fs.statSync(path.join(lake, `project_id=${server.project.id}`, 'event=%24pageview', 'week=2026-10-05', 'part-0.parquet')).mtimeMs;
    const again = await exportToLake(server.db.url, { destination: lake, graceDays: 1, now: new Date('2026-10-22T00:00:00Z'), projectIds: [server.project.id], clickhouse: server.clickhouse });
    expect(again.weeks).toEqual([]);
    const next = await exportToLake(server.db.url, { destination: lake, graceDays: 1, now: new Date('2026-10-28T00:00:00Z'), projectIds: [server.project.id], clickhouse: server.clickhouse });
    expect(next.weeks.map((week) => [week.week, week.rows, week.files])).toEqual([['2026-10-19', 1, 1]]);
    expect(fs.statSync(path.join(lake, `project_id=${server.project.id}`, 'event=%24pageview', 'week=2026-10-05', 'part-0.parquet')).mtimeMs).toBe(before);
    expect(fs.existsSync(path.join(lake, `project_id=${otherProject}`))).toBe(false);
    const counts = await readLake(lake, 'SELECT count(*)::INTEGER AS n, count(DISTINCT project_id)::INTEGER AS projects FROM lake');
    expect(counts).toEqual([{ n: 6, projects: 1 }]);
  });

  it('runs from the command line for every project, with --since', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-lake-cli-'));
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'export', '--to', dir, '--since', '2026-10-07', '--json'], {
        env: { ...process.env, ...server.storeEnv() }, cwd: path.resolve(import.meta.dirname, '..'),
      });
      const result = JSON.parse(stdout) as { weeks: Array<{ projectId: number; week: string; rows: number }> };
      // Every sealed week since is recorded, empty ones too, so none is scanned twice.
      expect(result.weeks.filter((week) => week.projectId === server.project.id && week.rows > 0).map((week) => [week.week, week.rows])).toEqual([['2026-10-05', 3], ['2026-10-12', 2], ['2026-10-19', 1]]);
      expect(result.weeks.find((week) => week.projectId === otherProject && week.week === '2026-10-05')?.rows).toBe(1);
      const rejected = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'export', '--to', dir, '--format', 'csv'], {
        env: { ...process.env, ...server.storeEnv() }, cwd: path.resolve(import.meta.dirname, '..'),
      }).catch((error: { stderr: string; code: number }) => error);
      expect((rejected as { stderr: string }).stderr).toContain('--format csv is not supported');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is kept up by the workers\' maintenance pass when an export directory is set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-lake-loop-'));
    const project = await createProject(server.db.pool, 'Lake loop');
    const threeWeeksAgo = new Date(Date.now() - 21 * 86_400_000).toISOString();
    await capture(project.api_token, [{ event: 'signed up', distinct_id: 'loop-1', timestamp: threeWeeksAgo }]);
    const quiet = { info: () => undefined, warn: () => undefined };
    const loop = new MaintenanceLoop({ databaseUrl: server.db.url, intervalMs: 60_000, cohortRefreshSeconds: 300, lakeExport: { dir, graceDays: 1 }, log: quiet, clickhouse: server.clickhouse });
    loop.start();
    try {
      const deadline = Date.now() + 30_000;
      while (!fs.existsSync(path.join(dir, `project_id=${project.id}`, 'event=signed%20up')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await loop.stop();
      const rows = await readLake(dir, `SELECT distinct_id FROM lake WHERE project_id = ${project.id}`);
      expect(rows).toEqual([{ distinct_id: 'loop-1' }]);
    } finally {
      await loop.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
