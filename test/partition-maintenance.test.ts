import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { convertEvents } from '../src/partition/convert-events.ts';
import { weeklyLayout } from '../src/partition/event-layout.ts';
import { maintainPartitions } from '../src/partition/maintain-partitions.ts';
import { releasePartitionLock, tryPartitionLock } from '../src/partition/partition-lock.ts';
import { eventBranchName, weekTableName } from '../src/partition/partition-names.ts';
import { readPartitionStatus } from '../src/partition/partition-status.ts';
import { addWeeks, weekStart } from '../src/partition/weeks.ts';
import { insertEvents, tablesHolding, type SeedEvent } from './helpers/event-rows.ts';
import { liveTablesWithoutOptions } from './helpers/live-tables.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

const run = promisify(execFile);
const now = new Date('2026-11-25T12:00:00Z');
const thisWeek = weekStart(now);

let db: TestDatabase;
let client: pg.Client;
let shop: number;
let blog: number;
let prefix: string;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  shop = (await createProject(db.pool, 'Shop')).id;
  blog = (await createProject(db.pool, 'Blog')).id;
  const rows: SeedEvent[] = [];
  // One row a day for 10 weeks back, in each project, as $pageview and as another event.
  for (let day = 0; day < 70; day++) {
    for (const projectId of [shop, blog]) {
      for (const event of ['$pageview', 'purchase']) rows.push({ projectId, event, distinctId: `d${day}`, timestamp: new Date(now.getTime() - day * 86_400_000) });
    }
  }
  await insertEvents(db.pool, rows);
  await convertEvents(db.url, { target: weeklyLayout(['$pageview']), now });
  prefix = `events_g${(await readPartitionStatus(db.pool, false)).generation}`;
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

async function count(where: string, values: unknown[] = []): Promise<number> {
  const { rows } = await runQuery<{ n: number }>(db.pool, 'test.count', `SELECT count(*)::int AS n FROM events WHERE ${where}`, values);
  return rows[0]!.n;
}

describe('partition maintenance', () => {
  it('keeps weeks created ahead, and moves rows out of a default partition once their week exists', async () => {
    const farAhead = addWeeks(thisWeek, 10);
    await insertEvents(db.pool, [
      { projectId: shop, event: '$pageview', distinctId: 'early-bird', timestamp: new Date(farAhead.getTime() + 3_600_000) },
      { projectId: shop, event: '$pageview', distinctId: 'stuck-clock', timestamp: new Date('1970-01-01T00:00:00Z') },
    ]);
    const pageviews = eventBranchName(prefix, '$pageview');
    expect(await tablesHolding(db.pool, "e.distinct_id = 'early-bird'", [])).toEqual([`${pageviews}_wdefault`]);

    // Eight weeks later the row's week is inside the horizon: it gets its partition and moves there.
    const later = addWeeks(now, 8);
    const result = await maintainPartitions(client, later);
    expect(result.ran).toBe(true);
    expect(result.movedRows).toBe(1);
    expect(await tablesHolding(db.pool, "e.distinct_id = 'early-bird'", [])).toEqual([weekTableName(pageviews, farAhead)]);
    expect(await tablesHolding(db.pool, "e.distinct_id = 'stuck-clock'", [])).toEqual([`${pageviews}_wdefault`]);
    const names = (await readPartitionStatus(db.pool, false)).tables.map((table) => table.table);
    for (const branch of [pageviews, `${prefix}_other`]) {
      for (let ahead = 0; ahead <= 4; ahead++) expect(names).toContain(weekTableName(branch, addWeeks(weekStart(later), ahead)));
    }
    // The weeks made by maintenance are vacuumed as often as those made by the conversion.
    expect(await liveTablesWithoutOptions(db.pool)).toEqual([]);
    // A second pass finds nothing to do.
    expect(await maintainPartitions(client, later)).toMatchObject({ ran: true, createdWeeks: [], movedRows: 0 });
  });

  it('runs on one leader at a time', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      expect(await tryPartitionLock(other)).toBe(true);
      expect((await maintainPartitions(client, now)).ran).toBe(false);
      await releasePartitionLock(other);
      expect((await maintainPartitions(client, now)).ran).toBe(true);
    } finally {
      await other.end();
    }
  });

  it('drop-before drops whole weeks, deletes rows of the straddling week and default partitions, and keeps the rest', async () => {
    const cutoff = new Date(addWeeks(thisWeek, -6).getTime() + 2 * 86_400_000); // a Wednesday
    const older = await count('timestamp < $1', [cutoff]);
    const kept = await count('timestamp >= $1', [cutoff]);
    expect(older).toBeGreaterThan(0);
    const env = { ...process.env, DATABASE_URL: db.url };
    const { stdout } = await run(process.execPath, ['bin/sounder.js', 'partition', 'drop-before', cutoff.toISOString(), '--json'], { env });
    const result = JSON.parse(stdout);
    expect(result.droppedTables).toContain(weekTableName(`${prefix}_other`, addWeeks(thisWeek, -7)));
    expect(result.droppedTables).not.toContain(weekTableName(`${prefix}_other`, addWeeks(thisWeek, -6)));
    expect(result.deletedRows).toBeGreaterThan(0);
    expect(await count('timestamp < $1', [cutoff])).toBe(0);
    expect(await count('true')).toBe(kept);
  });

  it('per-project retention deletes only that project\'s old rows; global retention drops whole weeks', async () => {
    const env = { ...process.env, DATABASE_URL: db.url };
    await run(process.execPath, ['bin/sounder.js', 'partition', 'retention', '--project', String(blog), '--retain-weeks', '2'], { env });
    const cutoff = addWeeks(now, -2);
    const shopOld = await count('project_id = $1 AND timestamp < $2', [shop, cutoff]);
    expect(shopOld).toBeGreaterThan(0);
    const pass = await maintainPartitions(client, now);
    expect(pass.deletedRows).toBeGreaterThan(0);
    expect(await count('project_id = $1 AND timestamp < $2', [blog, cutoff])).toBe(0);
    expect(await count('project_id = $1 AND timestamp >= $2', [blog, cutoff])).toBeGreaterThan(0);
    expect(await count('project_id = $1 AND timestamp < $2', [shop, cutoff])).toBe(shopOld);

    const { stdout } = await run(process.execPath, ['bin/sounder.js', 'partition', 'retention', '--retain-weeks', '3', '--json'], { env });
    expect(JSON.parse(stdout)).toMatchObject({ retainWeeks: 3, projects: [{ id: blog, retainWeeks: 2 }] });
    const global = await maintainPartitions(client, now);
    const globalCutoff = weekStart(addWeeks(now, -3));
    expect(global.droppedTables.length).toBeGreaterThan(0);
    expect(await count('timestamp < $1', [globalCutoff])).toBe(0);
    expect(await count('project_id = $1 AND timestamp >= $2', [shop, globalCutoff])).toBeGreaterThan(0);
  });
});
