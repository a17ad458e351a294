import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickHouseLiteral } from '../src/clickhouse/clickhouse-literal.ts';
import { addMaterializedColumn, migrateClickHouse } from '../src/clickhouse/clickhouse-migrations.ts';
import { deleteAndWait } from '../src/clickhouse/clickhouse-mutations.ts';
import { deleteClickHouseEventsBefore } from '../src/clickhouse/delete-from-clickhouse.ts';
import { clickHouseTable, localActivityTableName } from '../src/clickhouse/clickhouse-store.ts';
import { materializedColumn } from '../src/clickhouse/hot-properties.ts';
import { forgetMaterializedKeys, materializedKeys } from '../src/clickhouse/materialized-keys.ts';
import { runQuery } from '../src/db/pool.ts';
import { processBatch } from '../src/ingestion/process-batch.ts';
import { shardCount } from '../src/ingestion/shards.ts';
import { createInsightContext } from '../src/query/insight-context.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { clickHouseSeriesQuery } from '../src/query/clickhouse/clickhouse-series-query.ts';
import { resolveRange } from '../src/query/filters/date-range.ts';
import { matchEntity } from '../src/query/filters/entity-condition.ts';
import { getTrends } from '../src/query/trends/get-trends.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { createTestClickHouse, testEventsStore, type TestClickHouse } from './helpers/test-clickhouse.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

// chDB (current ClickHouse) unless the run asks for the two-shard 18.16 cluster.
const kind = testEventsStore() ?? 'chdb';
const allShards = Array.from({ length: shardCount }, (_, shard) => shard);

let clickhouse: TestClickHouse;
let server: TestServer;
beforeAll(async () => {
  clickhouse = await createTestClickHouse(kind);
  server = await startTestServer({ worker: false, clickhouse: clickhouse.store });
});
afterAll(async () => {
  await server.stop();
  await clickhouse.drop();
});

const count = async (where = '1') => {
  const rows = await clickhouse.store.primary.query<{ n: string; uuids: string }>(
    `SELECT count() AS n, uniqExact(uuid) AS uuids FROM ${clickHouseTable(clickhouse.store, 'events')} WHERE ${where}`);
  return { rows: Number(rows[0]!.n), uuids: Number(rows[0]!.uuids) };
};

// Person activity as the view keeps it, and as it should be from the events stored: each (event, quarter hour, person) once.
const activityRows = async (source: 'activity' | 'events') => {
  const sql = source === 'activity'
    ? `SELECT DISTINCT concat(event, ' ', toString(quarter), ' ', toString(person_id)) AS row FROM ${clickHouseTable(clickhouse.store, 'person_activity')}`
    : `SELECT DISTINCT concat(event, ' ', toString(toStartOfFifteenMinutes(timestamp)), ' ', toString(person_id)) AS row FROM ${clickHouseTable(clickhouse.store, 'events')}`;
  return (await clickhouse.store.primary.query<{ row: string }>(sql)).map((row) => row.row).sort();
};

async function runBatch(): Promise<void> {
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    await processBatch(client as unknown as pg.PoolClient, allShards, 10_000, clickhouse.store);
  } finally {
    await client.end();
  }
}

describe('ClickHouse literals', () => {
  it('print every hostile string so ClickHouse reads back exactly that string', async () => {
    const hostile = ["'", "\\'", "\\", "'; DROP TABLE events; --", 'tab\there', 'new\nline', 'nul\0byte', 'ünïcödé 💥', '\\x27', "' OR 1=1 --", '`backtick`', '$1', '{"json": "value"}', '\b\f\r'];
    const rows = await clickhouse.store.primary.query<Record<string, string>>(`SELECT ${hostile.map((value, index) => `${clickHouseLiteral(value)} AS v${index}`).join(', ')}`);
    expect(hostile.map((_, index) => rows[0]![`v${index}`])).toEqual(hostile);
    const numbers = await clickhouse.store.primary.query<{ a: number; b: number }>(`SELECT 1 - ${clickHouseLiteral(-5)} AS a, ${clickHouseLiteral([1, 2])}[2] AS b`);
    expect(numbers[0]).toEqual({ a: 6, b: 2 });
    expect(() => clickHouseLiteral(Number.NaN)).toThrow(/literal/);
  });
});

describe('writing events to ClickHouse', () => {
  const batch = Array.from({ length: 40 }, (_, index) => ({
    uuid: randomUUID(), event: index % 2 ? '$pageview' : 'signup', distinct_id: `user-${index % 7}`,
    timestamp: new Date(Date.UTC(2026, 2, 2, 10, index)).toISOString(), properties: { $browser: index % 3 ? 'Chrome' : 'Firefox', plan: index % 4 ? 'free' : 'pro' },
  }));

  it('stores a batch once when its Postgres commit fails after the ClickHouse insert, and again finds nothing to add on a replay', async () => {
    const response = await sendCapture(server.url, { api_key: server.project.api_token, batch });
    expect(response.status).toBe(200);
    // The first delete of buffer rows fails: the batch's transaction rolls back after its ClickHouse insert went through.
    await runQuery(server.db.pool, 'test.fail_once', `CREATE SEQUENCE fail_once;
      CREATE FUNCTION fail_first_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF nextval('fail_once') = 1 THEN RAISE EXCEPTION 'worker died before its commit'; END IF; RETURN OLD; END $$;
      CREATE TRIGGER fail_first_delete BEFORE DELETE ON ingestion_buffer FOR EACH ROW EXECUTE FUNCTION fail_first_delete()`, []);
    await expect(runBatch()).rejects.toThrow(/worker died before its commit/);
    expect(await count()).toEqual({ rows: 40, uuids: 40 });
    const { rows: [buffered] } = await runQuery<{ n: number }>(server.db.pool, 'test.buffer', 'SELECT count(*)::int AS n FROM ingestion_buffer', []);
    expect(buffered!.n).toBeGreaterThan(0);

    await runBatch();
    expect(await count()).toEqual({ rows: 40, uuids: 40 });
    // The retry made the persons the failed attempt's rollback took away, though it inserted nothing.
    const { rows: [ids] } = await runQuery<{ n: number }>(server.db.pool, 'test.ids', 'SELECT count(*)::int AS n FROM person_distinct_ids', []);
    expect(ids!.n).toBe(7);
    // ClickHouse is the events store: Postgres holds none of them, nor their counts.
    const { rows: [stored] } = await runQuery<{ n: number }>(server.db.pool, 'test.events', 'SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM event_counts) AS n', []);
    expect(Number(stored!.n)).toBe(0);

    // posthog-js sending the same request again: the same uuids, nothing new in either store.
    expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
    await runBatch();
    expect(await count()).toEqual({ rows: 40, uuids: 40 });
    // 40 events in 3 quarter hours (minutes 0-14, 15-29, 30-39): signups at even minutes, pageviews
    // at odd, by user-(minute % 7). Twice a user does one event twice in a quarter (user-0's
    // signups at minutes 0 and 14, user-1's pageviews at 15 and 29): 38 rows.
    expect(await activityRows('activity')).toEqual(await activityRows('events'));
    expect((await activityRows('activity')).length).toBe(38);
  });

  it('fills person activity from the events already stored when its migration runs', async () => {
    for (const node of clickhouse.store.nodes) {
      await node.command(`DROP TABLE ${clickHouseTable(clickhouse.store, 'person_activity_view')}`);
      await node.command(`TRUNCATE TABLE ${clickHouseTable(clickhouse.store, localActivityTableName(clickhouse.store))}`);
      await deleteAndWait(node, clickhouse.store, 'sounder_migrations', 'version = 6');
    }
    expect(await activityRows('activity')).toEqual([]);
    expect(await migrateClickHouse(clickhouse.store)).toBe(clickhouse.store.nodes.length);
    expect(await activityRows('activity')).toEqual(await activityRows('events'));
  });

  it('keeps each property as the text Postgres gives it, in the hot columns too', async () => {
    const rows = await clickhouse.store.primary.query<{ browser: string | null; plan: string | null }>(
      `SELECT \`${materializedColumn('$browser')}\` AS browser, prop_values[indexOf(prop_keys, 'plan')] AS plan FROM ${clickHouseTable(clickhouse.store, 'events')} WHERE toString(uuid) = ${clickHouseLiteral(batch[0]!.uuid)}`);
    expect(rows).toEqual([{ browser: 'Firefox', plan: 'pro' }]);
  });


  it('materializes another property on request, and trends give the same answer reading it', async () => {
    const context = await createInsightContext(server.db.pool, server.project.id, new Date('2026-03-05T00:00:00Z'), clickhouse.store);
    const filter = insightFilterSchema.parse({ events: [{ id: '$pageview' }], date_from: '2026-03-02', date_to: '2026-03-02', breakdown: 'plan', properties: [{ key: 'plan', value: 'pro', operator: 'is_not' }] });
    const before = await getTrends(context, filter);
    expect(before.map((series) => [series.breakdown_value, series.count])).toEqual([['free', 20]]);
    for (const node of clickhouse.store.nodes) expect(await addMaterializedColumn(clickhouse.store, node, 'plan')).toBe(true);
    expect(await addMaterializedColumn(clickhouse.store, clickhouse.store.primary, 'plan')).toBe(false);
    forgetMaterializedKeys(clickhouse.store);
    expect((await materializedKeys(clickhouse.store)).has('plan')).toBe(true);
    const range = await resolveRange(context, { dateFrom: '2026-03-02', dateTo: '2026-03-02', interval: 'day' });
    const spec = { entity: await matchEntity(context, { id: '$pageview', type: 'events' }), math: 'total' as const, properties: filter.properties, breakdown: { type: 'event' as const, key: 'plan' } };
    expect((await clickHouseSeriesQuery(context, clickhouse.store, spec, range)).text).toContain(materializedColumn('plan'));
    const after = await getTrends(context, filter);
    expect(after.map((series) => [series.breakdown_value, series.count])).toEqual([['free', 20]]);
  });
});

describe('deleting from ClickHouse', () => {
  const inClickHouse = async (where: string) => (await count(where)).rows;

  it('takes a deleted person\'s events, row and overrides off every node, and leaves everyone else\'s', async () => {
    const before = await inClickHouse('1');
    const mine = await inClickHouse("distinct_id = 'user-3'");
    expect(mine).toBeGreaterThan(0);
    const { rows: [person] } = await runQuery<{ uuid: string }>(server.db.pool, 'test.person',
      "SELECT person_uuid::text AS uuid FROM person_distinct_ids WHERE project_id = $1 AND distinct_id = 'user-3'", [server.project.id]);
    const response = await fetch(`${server.url}/api/projects/${server.project.id}/persons/${person!.uuid}?delete_events=true`, {
      method: 'DELETE', headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(response.status).toBe(200);
    expect(await inClickHouse("distinct_id = 'user-3'")).toBe(0);
    expect(await inClickHouse('1')).toBe(before - mine);
    expect(await activityRows('activity')).toEqual(await activityRows('events'));
    const persons = await clickhouse.store.primary.query<{ n: string }>(
      `SELECT count() AS n FROM ${clickHouseTable(clickhouse.store, 'persons')} WHERE toString(id) = ${clickHouseLiteral(person!.uuid)}`);
    expect(Number(persons[0]!.n)).toBe(0);
  });

  it('applies retention: rows before the cutoff, then whole weeks', async () => {
    const before = await inClickHouse('1');
    const early = await inClickHouse("timestamp < toDateTime('2026-03-02 10:20:00', 'UTC')");
    expect(early).toBeGreaterThan(0);
    await deleteClickHouseEventsBefore(clickhouse.store, new Date('2026-03-02T10:20:00Z'));
    expect(await inClickHouse('1')).toBe(before - early);
    // The cutoff cuts the 10:15 quarter: its activity is what the events after 10:20 make.
    expect(await activityRows('activity')).toEqual(await activityRows('events'));
    expect((await activityRows('activity')).some((row) => row.includes(' 2026-03-02 10:15:00 '))).toBe(true);
    await deleteClickHouseEventsBefore(clickhouse.store, new Date('2026-03-09T00:00:00Z'), server.project.id + 1);
    expect(await inClickHouse('1')).toBe(before - early);
    await deleteClickHouseEventsBefore(clickhouse.store, new Date('2026-03-09T00:00:00Z'));
    expect(await inClickHouse('1')).toBe(0);
    expect(await activityRows('activity')).toEqual([]);
  });
});
