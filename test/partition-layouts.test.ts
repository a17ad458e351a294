import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { listEventsQuery } from '../src/query/events/list-events.ts';
import { convertEvents } from '../src/partition/convert-events.ts';
import { planRelations } from './helpers/plan-relations.ts';
import { plainLayout, weeklyLayout } from '../src/partition/event-layout.ts';
import { readPartitionStatus } from '../src/partition/partition-status.ts';
import { eventBranchName, weekTableName } from '../src/partition/partition-names.ts';
import { addWeeks, weekStart } from '../src/partition/weeks.ts';
import { eventsFingerprint, insertEvents, tablesHolding, type SeedEvent } from './helpers/event-rows.ts';
import { liveTablesWithoutOptions } from './helpers/live-tables.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

const now = new Date('2026-11-25T12:00:00Z');
const thisWeek = weekStart(now);
const longName = `événement très long ${'ß'.repeat(40)} ${'x'.repeat(40)}`;
const oddNames = ['$pageview', "it's \"quoted\"", 'with spaces and $', '日本語のイベント', longName];

let db: TestDatabase;
let projectId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'Partitions')).id;
  const rows: SeedEvent[] = [];
  const events = [...oddNames, '$autocapture', 'signed up'];
  for (let i = 0; i < 3000; i++) {
    // Spread over the last five weeks, a few rows every hour.
    rows.push({ projectId, event: events[i % events.length]!, distinctId: `user-${i % 50}`, timestamp: new Date(now.getTime() - i * 40 * 60_000) });
  }
  rows.push({ projectId, event: '$pageview', distinctId: 'broken-clock', timestamp: new Date('1970-01-01T00:00:01Z') });
  rows.push({ projectId, event: '$pageview', distinctId: 'future-clock', timestamp: new Date('2031-06-01T00:00:00Z') });
  await insertEvents(db.pool, rows);
});
afterAll(() => db.drop());

/** Rows were found, and every table holding them starts with `prefix`. */
function expectAllIn(tables: string[], prefix: string): void {
  expect(tables.length).toBeGreaterThan(0);
  expect(tables.filter((table) => !table.startsWith(prefix))).toEqual([]);
}

async function relkind(): Promise<string> {
  const { rows } = await runQuery<{ relkind: string }>(db.pool, 'test.relkind', "SELECT relkind FROM pg_class WHERE oid = 'events'::regclass");
  return rows[0]!.relkind;
}

describe('sounder partition layouts', () => {
  it('the tables that take events all day (a plain events table, the rollups) are vacuumed after a hundredth of their rows changed, from the migration on', async () => {
    expect(await relkind()).toBe('r');
    expect(await liveTablesWithoutOptions(db.pool)).toEqual([]);
  });

  it('weekly: every row kept, each in its Monday-to-Monday week; far past and future rows in the default partition', async () => {
    const before = await eventsFingerprint(db.pool);
    const outcome = await convertEvents(db.url, { target: weeklyLayout([]), now });
    expect(outcome.changed).toBe(true);
    expect(await eventsFingerprint(db.pool)).toEqual(before);
    expect(await relkind()).toBe('p');

    const status = await readPartitionStatus(db.pool, true);
    const prefix = `events_g${status.generation}`;
    expect(status.rows).toBe(before.rows);
    const week = addWeeks(thisWeek, -2);
    expect(await tablesHolding(db.pool, 'e.timestamp >= $1 AND e.timestamp < $2', [week, addWeeks(week, 1)])).toEqual([weekTableName(prefix, week)]);
    expect(await tablesHolding(db.pool, "e.distinct_id IN ('broken-clock', 'future-clock')", [])).toEqual([`${prefix}_wdefault`]);
    // The weeks ahead exist, empty, ready for inserts.
    const names = status.tables.map((table) => table.table);
    for (let ahead = 0; ahead <= status.weeksAhead; ahead++) expect(names).toContain(weekTableName(prefix, addWeeks(thisWeek, ahead)));
    expect(status.tables.find((table) => table.table === `${prefix}_wdefault`)).toMatchObject({ isDefault: true, rows: 2 });
  });

  it('per event: odd names (quotes, $, spaces, unicode, over 63 bytes) get their own partitions; every other event shares one', async () => {
    const before = await eventsFingerprint(db.pool);
    await convertEvents(db.url, { target: weeklyLayout(oddNames), now });
    expect(await eventsFingerprint(db.pool)).toEqual(before);
    const status = await readPartitionStatus(db.pool, true);
    const prefix = `events_g${status.generation}`;
    for (const name of oddNames) {
      const branch = eventBranchName(prefix, name);
      expect(Buffer.byteLength(branch)).toBeLessThanOrEqual(63);
      const held = await tablesHolding(db.pool, 'e.event = $1', [name]);
      expect(held.length).toBeGreaterThan(0);
      expect(held.every((table) => table.startsWith(`${branch}_w`))).toBe(true);
      expect(status.tables.find((table) => table.table === branch)).toMatchObject({ event: name, holds: `event ${JSON.stringify(name)}` });
    }
    expectAllIn(await tablesHolding(db.pool, "e.event IN ('$autocapture', 'signed up')", []), `${prefix}_other_w`);
  });

  it('runs again with another list: events move between partitions, nothing else changes', async () => {
    const before = await eventsFingerprint(db.pool);
    expect((await convertEvents(db.url, { target: weeklyLayout(oddNames), now })).changed).toBe(false);
    await convertEvents(db.url, { target: weeklyLayout(['$autocapture', '$pageview']), now });
    expect(await eventsFingerprint(db.pool)).toEqual(before);
    const status = await readPartitionStatus(db.pool, true);
    const prefix = `events_g${status.generation}`;
    expectAllIn(await tablesHolding(db.pool, "e.event = '$autocapture'", []), eventBranchName(prefix, '$autocapture'));
    expectAllIn(await tablesHolding(db.pool, 'e.event = $1', [longName]), `${prefix}_other_w`);
    // Autovacuum, off while the copy was filled, is back on every table.
    const { rows: paused } = await runQuery<{ n: number }>(db.pool, 'test.autovacuum', "SELECT count(*)::int AS n FROM pg_class WHERE reloptions::text LIKE '%autovacuum_enabled=false%'");
    expect(paused[0]!.n).toBe(0);
    expect(await liveTablesWithoutOptions(db.pool)).toEqual([]);
    // Old generations are gone: only this generation's tables are left.
    const { rows } = await runQuery<{ n: number }>(db.pool, 'test.leftovers',
      "SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'events\\_%' AND relkind IN ('r', 'p') AND relname NOT LIKE $1 AND relname <> 'event_conversion_changes'", [`${prefix}\\_%`]);
    expect(rows[0]!.n).toBe(0);
  });

  it('prunes an events API query for one week of $pageview to that one partition', async () => {
    const status = await readPartitionStatus(db.pool, false);
    const prefix = `events_g${status.generation}`;
    const week = addWeeks(thisWeek, -1);
    const query = listEventsQuery({ projectId, event: '$pageview', after: new Date(week.getTime() - 1), before: addWeeks(week, 1), properties: [], limit: 100 });
    const relations = await planRelations(db.pool, query.text, query.values);
    // `after` is exclusive, so the range starts a millisecond into the previous week: that week's partition is the only other one.
    expect(relations).toEqual([
      weekTableName(eventBranchName(prefix, '$pageview'), addWeeks(week, -1)),
      weekTableName(eventBranchName(prefix, '$pageview'), week),
    ].sort());
  });

  it('--reverse: one plain table again, every row kept', async () => {
    const before = await eventsFingerprint(db.pool);
    await convertEvents(db.url, { target: plainLayout, now });
    expect(await eventsFingerprint(db.pool)).toEqual(before);
    expect(await relkind()).toBe('r');
    const status = await readPartitionStatus(db.pool, true);
    expect(status.tables).toHaveLength(1);
    expect(status.layout).toEqual(plainLayout);
    expect(await liveTablesWithoutOptions(db.pool)).toEqual([]);
  });
});
