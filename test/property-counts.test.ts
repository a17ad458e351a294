import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { shardFor } from '../src/ingestion/shards.ts';
import { deletePerson } from '../src/privacy/delete-person.ts';
import type { InsightContext } from '../src/query/insight-context.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { getTrends } from '../src/query/trends/get-trends.ts';
import { countedProperties } from '../src/rollups/property-counts.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { replayStoredEvents, retireOldEvents } from './helpers/rollup-steps.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

// `viewed` events around Kolkata's (+05:30) midnight of 2026-03-05, with browsers of every kind.
const edges: FixtureEvent[] = [
  { event: 'viewed', distinct_id: 'asha', timestamp: '2026-03-04T18:29:00.000Z', properties: { $browser: 'Chrome' } },
  { event: 'viewed', distinct_id: 'asha', timestamp: '2026-03-05T18:14:59.999Z', properties: { $browser: 'Chrome' } },
  { event: 'viewed', distinct_id: 'asha', timestamp: '2026-03-05T18:15:00.000Z', properties: { $browser: 'Chrome' } },
  { event: 'viewed', distinct_id: 'bina', timestamp: '2026-03-05T18:29:59.999Z', properties: { $browser: 5 } },
  { event: 'viewed', distinct_id: 'bina', timestamp: '2026-03-05T18:30:00.000Z', properties: { $browser: '5' } },
  { event: 'viewed', distinct_id: 'bina', timestamp: '2026-03-06T02:00:00.000Z', properties: { $browser: null } },
  { event: 'viewed', distinct_id: 'chen', timestamp: '2026-03-06T03:00:00.000Z' },
  { event: 'viewed', distinct_id: 'chen', timestamp: '2026-03-06T04:00:00.000Z', properties: { $browser: 'Navigateur ü 🦊' } },
];
const names = ['$pageview', '$pageview', 'purchase', 'signed up', '$autocapture'];
// One value longer than a btree entry may be, even compressed.
const long = Array.from({ length: 60 }, (_, i) => createHash('sha512').update(String(i)).digest('base64')).join('');
const browsers: unknown[] = ['Chrome', 'Safari', 'Firefox', 'Chrome', 'Safari', 'Opera', null, undefined, 7, 1.5, 1e21, true, { a: 1 }, ['x'], '', long];
// Eight days from 2026-03-04 over 37 ids, on every minute of the hour over the run.
const traffic: FixtureEvent[] = Array.from({ length: 450 }, (_, i) => {
  const browser = browsers[i % browsers.length];
  const properties: Record<string, unknown> = { $os: i % 3 === 0 ? 'iOS' : 'Windows', $pathname: `/page-${i % 7}` };
  if (browser !== undefined) properties.$browser = browser;
  if (i % 4 === 0) properties.utm_source = 'newsletter';
  return { event: names[i % names.length]!, distinct_id: `user-${i % 37}`, timestamp: new Date(Date.parse('2026-03-04T00:00:00Z') + i * 1_511_713).toISOString(), properties };
});

const run = promisify(execFile);
const now = '2026-03-12T03:07:31.250Z';

let fixture: InsightFixture;
let other: Project;
beforeAll(async () => {
  fixture = await startInsightFixture([...edges, ...traffic], { postgresOnly: true });
  // Another project's events, in the same buckets, must never be counted.
  other = await createProject(fixture.server.db.pool, 'Other');
  const response = await sendCapture(fixture.server.url, { api_key: other.api_token, batch: edges.map((event) => ({ ...event, uuid: randomUUID() })) });
  expect(response.status).toBe(200);
  await fixture.server.drained();
});
afterAll(() => fixture.stop());

/** A context in `timezone` whose queries are written down, to tell which ones read property_counts. */
async function recording(timezone: string, eventCounts = true): Promise<{ context: InsightContext; queries: string[] }> {
  const base = await fixture.context(now);
  const queries: string[] = [];
  const db = { query: (text: string, values: unknown[]) => { queries.push(text); return base.db.query(text, values); } } as InsightContext['db'];
  return { context: { ...base, db, eventCounts, project: { ...base.project, timezone } }, queries };
}

const readsCounts = (queries: string[]) => queries.some((text) => text.includes('property_counts'));

/** Rows where property_counts and a count of the stored events by each counted property disagree. */
async function disagreements(): Promise<unknown[]> {
  const { rows } = await runQuery(fixture.server.db.pool, 'test.property_counts_disagree',
    `SELECT * FROM (SELECT project_id, key, event, bucket, value, sum(events)::int AS n FROM property_counts GROUP BY 1, 2, 3, 4, 5 HAVING sum(events) <> 0) c
     FULL JOIN (SELECT e.project_id, k.key, e.event, sounder_count_bucket(e.timestamp) AS bucket, e.properties ->> k.key AS value, count(*)::int AS n
                FROM events e CROSS JOIN unnest($1::text[]) AS k(key) GROUP BY 1, 2, 3, 4, 5) e
       ON e.project_id = c.project_id AND e.key = c.key AND e.event = c.event AND e.bucket = c.bucket AND e.value IS NOT DISTINCT FROM c.value
     WHERE c.n IS DISTINCT FROM e.n`, [countedProperties]);
  return rows;
}

describe('property counts', () => {
  it('count the keys the migration counts', async () => {
    const { rows: [row] } = await runQuery<{ keys: string[] }>(fixture.server.db.pool, 'test.counted_keys', 'SELECT sounder_counted_properties() AS keys');
    expect(row!.keys).toEqual(countedProperties);
  });

  it('break plain counts down by $browser over local days, with null, numbers and unicode', async () => {
    const { context, queries } = await recording('Asia/Kolkata');
    const series = await getTrends(context, insightFilterSchema.parse({ date_from: '2026-03-05', date_to: '2026-03-06', events: [{ id: 'viewed' }], breakdown: '$browser' }));
    expect(readsCounts(queries)).toBe(true);
    // Local 2026-03-05 ends at 18:30Z; the number 5 and the text '5' are one value, as ->> gives them.
    expect(Object.fromEntries(series.map((s) => [s.breakdown_value, s.data]))).toEqual({
      Chrome: [2, 0],
      5: [1, 1],
      $$_posthog_breakdown_null_$$: [0, 2],
      'Navigateur ü 🦊': [0, 1],
    });
  });

  it('agree with the events for every zone, interval, display and limit, and keep to the events when they cannot answer', async () => {
    const counted: Array<Record<string, unknown>> = [];
    for (const interval of ['hour', 'day', 'week', 'month']) {
      counted.push({ interval, date_from: '2026-03-04', date_to: '2026-03-11', events: [{ id: '$pageview' }, { id: 'purchase' }], breakdown: '$browser' });
    }
    counted.push(
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: null }], breakdown: '$os' },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: '$browser', breakdown_limit: 2 },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: 'utm_source', display: 'ActionsPie' },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: '$browser', breakdown_limit: 3, display: 'ActionsTable' },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: '$browser', display: 'ActionsLineGraphCumulative' },
      { date_from: '-3d', interval: 'hour', events: [{ id: '$pageview' }], breakdown: '$browser', compare: true },
      // Ranges that start and end inside a bucket: those minutes come from the events.
      { date_from: '2026-03-05T06:07:31', date_to: '2026-03-09T03:07:31', interval: 'hour', events: [{ id: '$pageview' }, { id: null }], breakdown: '$browser' },
      { date_from: '2026-03-04T18:20:00+00:00', date_to: '2026-03-08T07:05:00+00:00', display: 'ActionsPie', events: [{ id: 'viewed' }], breakdown: '$browser' },
    );
    const read: Array<Record<string, unknown>> = [
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: '$pathname' },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview', math: 'dau' }], breakdown: '$browser' },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: '$browser', properties: [{ key: '$os', value: 'iOS' }] },
      { date_from: '2026-03-03', date_to: '2026-03-12', events: [{ id: '$pageview' }], breakdown: '$browser', breakdown_type: 'person' },
      { date_from: '-3d', interval: 'minute', events: [{ id: '$pageview' }], breakdown: '$browser' },
    ];
    for (const timezone of ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York']) {
      for (const [filter, expectCounts] of [...counted.map((f) => [f, true] as const), ...read.map((f) => [f, false] as const)]) {
        const label = `${timezone} ${JSON.stringify(filter)}`;
        const withCounts = await recording(timezone);
        const result = await getTrends(withCounts.context, insightFilterSchema.parse(filter));
        expect(readsCounts(withCounts.queries), label).toBe(expectCounts);
        const withoutCounts = await recording(timezone, false);
        expect(result, label).toEqual(await getTrends(withoutCounts.context, insightFilterSchema.parse(filter)));
        expect(readsCounts(withoutCounts.queries), label).toBe(false);
      }
    }
  });

  it('stay equal to the events through a replayed batch, a buffer line of the old format, a deleted person, retention and a recount', async () => {
    const pool = fixture.server.db.pool;
    expect(await disagreements()).toEqual([]);
    await replayStoredEvents(fixture.server);
    expect(await disagreements()).toEqual([]);

    // Written before buffer lines carried the counted properties: seven fields, found in the properties.
    const line = [randomUUID(), 'viewed', 'dara', JSON.stringify({ $browser: 'Legacy', $os: 'Plan 9' }), '', '2026-03-07T10:00:00.000Z', ''].join('\t');
    await runQuery(pool, 'test.old_buffer_line', 'INSERT INTO ingestion_buffer (shard, project_id, received_at, event_count, events) VALUES ($1, $2, now(), 1, $3)',
      [shardFor(fixture.server.project.id, 'dara'), fixture.server.project.id, line]);
    await fixture.server.drained();
    const { rows: legacy } = await runQuery<{ key: string; value: string; n: number }>(pool, 'test.legacy_counts',
      "SELECT key, value, sum(events)::int AS n FROM property_counts WHERE project_id = $1 AND event = 'viewed' AND bucket = '2026-03-07T10:00:00Z' GROUP BY 1, 2 ORDER BY 1", [fixture.server.project.id]);
    expect(legacy).toEqual([
      { key: '$browser', value: 'Legacy', n: 1 }, { key: '$device_type', value: null, n: 1 }, { key: '$host', value: null, n: 1 },
      { key: '$os', value: 'Plan 9', n: 1 }, { key: '$referring_domain', value: null, n: 1 }, { key: 'utm_source', value: null, n: 1 },
    ]);
    expect(await disagreements()).toEqual([]);

    const deleted = await deletePerson(pool, fixture.server.project.id, { distinctId: 'bina' });
    expect(deleted!.events_deleted).toBe(3);
    expect(await disagreements()).toEqual([]);

    await retireOldEvents(fixture.server, { projectCutoff: new Date('2026-03-05T06:07:00Z'), cutoff: new Date('2026-03-09T12:00:00Z') }, async () => {
      expect(await disagreements()).toEqual([]);
    });

    // Events that reached the table without a worker, then `sounder recount`.
    await runQuery(pool, 'test.import', `INSERT INTO events (uuid, project_id, event, distinct_id, properties, timestamp)
      VALUES ($1, $2, 'imported', 'restored', '{"$browser": "Imported"}', '2026-03-10T10:20:00Z')`, [randomUUID(), other.id]);
    expect(await disagreements()).not.toEqual([]);
    await run(process.execPath, ['bin/sounder.js', 'recount', '--project', String(other.id), '--json'], { env: { ...process.env, DATABASE_URL: fixture.server.db.url } });
    expect(await disagreements()).toEqual([]);

    const filter = insightFilterSchema.parse({ date_from: '2026-03-01', date_to: '2026-03-12', events: [{ id: '$pageview' }, { id: 'viewed' }], breakdown: '$browser' });
    const withCounts = await recording('UTC');
    const result = await getTrends(withCounts.context, filter);
    expect(readsCounts(withCounts.queries)).toBe(true);
    expect(result).toEqual(await getTrends((await recording('UTC', false)).context, filter));
  });
});
