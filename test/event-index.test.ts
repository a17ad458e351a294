import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { runQuery, type Pool } from '../src/db/pool.ts';
import { quoteIdentifier } from '../src/db/quote-identifier.ts';
import { convertEvents } from '../src/partition/convert-events.ts';
import { weeklyLayout } from '../src/partition/event-layout.ts';
import { resolveRange } from '../src/query/filters/date-range.ts';
import { matchEntity } from '../src/query/filters/entity-condition.ts';
import { funnelSequencesQuery } from '../src/query/funnels/funnel-sequences.ts';
import { seriesQuery } from '../src/query/trends/series-query.ts';
import { startInsightFixture, type InsightFixture } from './helpers/insight-fixture.ts';

let fixture: InsightFixture;
beforeAll(async () => {
  fixture = await startInsightFixture([
    { event: '$pageview', distinct_id: 'a', timestamp: '2026-08-04T10:00:00Z' },
    { event: 'signed up', distinct_id: 'a', timestamp: '2026-08-04T10:05:00Z' },
    { event: '$pageview', distinct_id: 'b', timestamp: '2026-08-12T10:00:00Z' },
  ]);
});
afterAll(() => fixture.stop());

const oldDefinition = '(project_id, event, "timestamp" DESC)';
const covering = '(project_id, event, "timestamp" DESC) INCLUDE (person_id, distinct_id, uuid)';

/** The definitions of the (project_id, event, timestamp) indexes on events and every table under it. */
async function eventIndexDefinitions(pool: Pool): Promise<string[]> {
  const { rows } = await runQuery<{ definition: string }>(pool, 'test.event_indexes',
    `SELECT substring(pg_get_indexdef(i.indexrelid) FROM '\\(project_id, event, .*$') AS definition
     FROM pg_index i WHERE i.indrelid IN (SELECT 'events'::regclass UNION SELECT relid FROM pg_partition_tree('events'))
       AND pg_get_indexdef(i.indexrelid) LIKE '%(project_id, event, %'`);
  return rows.map((row) => row.definition);
}

/** Makes the events index what it was before migration 0012, on every table, and forgets that 0012 ran. */
async function restoreOldIndex(pool: Pool): Promise<void> {
  const { rows: [index] } = await runQuery<{ name: string }>(pool, 'test.index_name',
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'events'::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%INCLUDE (person_id, distinct_id, uuid)'`);
  await runQuery(pool, 'test.drop_index', `DROP INDEX ${quoteIdentifier(index!.name)}`);
  await runQuery(pool, 'test.old_index', `CREATE INDEX ${quoteIdentifier(index!.name)} ON events ${oldDefinition}`);
  await runQuery(pool, 'test.forget_migration', "DELETE FROM sounder_migrations WHERE name = '0012_covering_event_index.sql'");
}

/** The columns of `events` that a DAU trend and a funnel's sequences read. */
async function insightColumns(): Promise<string[]> {
  const context = await fixture.context();
  const range = await resolveRange(context, { dateFrom: '2026-08-03', dateTo: '2026-08-16', interval: 'day' });
  const pageview = await matchEntity(context, { id: '$pageview', type: 'events' });
  const signedUp = await matchEntity(context, { id: 'signed up', type: 'events' });
  const dau = seriesQuery(context, { entity: pageview, math: 'dau', properties: { type: 'AND', values: [] } }, range);
  const funnel = funnelSequencesQuery(context, { steps: [pageview, signedUp], properties: { type: 'AND', values: [] }, from: range.from, to: range.to, order: 'ordered', windowMs: 14 * 86_400_000 });
  // The insight modules name the events table `e` everywhere.
  return [...new Set([dau.text, funnel.text].flatMap((text) => [...text.matchAll(/\be\.(\w+)/g)].map((match) => match[1]!)))].sort();
}

// What the covering index holds: its key and its INCLUDE columns. A query reading only these
// can be answered by an index-only scan (the planner picks one once the pages are all-visible).
const indexColumns = ['distinct_id', 'event', 'person_id', 'project_id', 'timestamp', 'uuid'];

describe('the covering event index', () => {
  it('is built by the migrations on the plain table, and holds every column person trends and funnels read', async () => {
    expect(await eventIndexDefinitions(fixture.server.db.pool)).toEqual([covering]);
    const read = await insightColumns();
    expect(read.filter((column) => !indexColumns.includes(column))).toEqual([]);
    expect(read).toEqual(expect.arrayContaining(['person_id', 'timestamp', 'uuid']));
  });

  it('replaces the old index of a partitioned layout on every partition', async () => {
    const pool = fixture.server.db.pool;
    await convertEvents(fixture.server.db.url, { target: weeklyLayout(['$pageview']), now: new Date('2026-08-20T00:00:00Z') });
    const tables = (await eventIndexDefinitions(pool)).length;
    expect(tables).toBeGreaterThan(4);
    await restoreOldIndex(pool);
    expect(await eventIndexDefinitions(pool)).toEqual(Array.from({ length: tables }, () => oldDefinition));
    expect((await migrate(fixture.server.db.url)).applied).toEqual(['0012_covering_event_index.sql']);
    expect(await eventIndexDefinitions(pool)).toEqual(Array.from({ length: tables }, () => covering));
    expect((await insightColumns()).filter((column) => !indexColumns.includes(column))).toEqual([]);
  });
});
