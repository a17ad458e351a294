import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../src/accounts/projects.ts';
import { runQuery, type Queryable } from '../src/db/pool.ts';
import { deletePerson } from '../src/privacy/delete-person.ts';
import { createInsightContext, type InsightContext } from '../src/query/insight-context.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { runInsight } from '../src/query/run-insight.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { insertEvents } from './helpers/event-rows.ts';
import { replayStoredEvents, retireOldEvents, rollupEdges } from './helpers/rollup-steps.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

const edges = rollupEdges;
const names = ['$pageview', '$pageview', 'purchase', 'signed up', '$autocapture'];
// Ten days from 2026-03-02 over 41 ids, on every minute of the hour over the run; ids 0-9 set a
// plan, ids 38-40 send no person profile, and user-3 is merged into user-4 half way.
const traffic: FixtureEvent[] = Array.from({ length: 600 }, (_, i) => {
  const id = i % 41;
  const properties: Record<string, unknown> = {};
  if (id < 10) properties.$set = { plan: id % 2 === 0 ? 'pro' : 'free' };
  if (id >= 38) properties.$process_person_profile = false;
  return { event: names[i % names.length]!, distinct_id: `user-${id}`, timestamp: new Date(Date.parse('2026-03-02T00:00:00Z') + i * 1_447_123).toISOString(), properties };
});
// Around the cutoffs retention is given below: cutoff-a is active in those quarter hours only
// before the cutoff, cutoff-b on both sides of it.
const cutoffs: FixtureEvent[] = ['2026-03-03T06:03:00Z', '2026-03-03T06:10:00Z', '2026-03-09T12:01:00Z', '2026-03-09T12:09:00Z'].flatMap((timestamp, i) => [
  ...(i % 2 === 0 ? [{ event: 'purchase', distinct_id: 'cutoff-a', timestamp }] : []),
  { event: 'purchase', distinct_id: 'cutoff-b', timestamp },
]);
const merge: FixtureEvent = { event: '$identify', distinct_id: 'user-4', timestamp: '2026-03-07T00:00:00Z', properties: { $anon_distinct_id: 'user-3' } };

const run = promisify(execFile);
const now = '2026-03-09T03:07:31.250Z';

let fixture: InsightFixture;
let other: Project;
beforeAll(async () => {
  fixture = await startInsightFixture([...edges, ...cutoffs, ...traffic.slice(0, 300), merge, ...traffic.slice(300)], { postgresOnly: true });
  other = await createProject(fixture.server.db.pool, 'Other');
  const response = await sendCapture(fixture.server.url, { api_key: other.api_token, batch: edges.map((event) => ({ ...event, uuid: randomUUID() })) });
  expect(response.status).toBe(200);
  await fixture.server.drained();
});
afterAll(() => fixture.stop());

/** A context whose queries are written down, to tell which ones read person_activity. */
async function recorded(projectId: number, timezone: string): Promise<{ context: InsightContext; texts: string[] }> {
  const pool = fixture.server.db.pool;
  const texts: string[] = [];
  const db = { query: (text: string, values?: unknown[]) => { texts.push(text); return pool.query(text, values); } } as unknown as Queryable;
  const context = await createInsightContext(db, projectId, new Date(now));
  return { context: { ...context, project: { ...context.project, timezone } }, texts };
}

/** An insight asked with person_activity and from the events alone, and whether the first read it. */
async function bothWays(timezone: string, filter: Record<string, unknown>) {
  const { context, texts } = await recorded(fixture.server.project.id, timezone);
  const parsed = insightFilterSchema.parse(filter);
  const withActivity = await runInsight(context, parsed);
  const readActivity = texts.some((text) => text.includes('person_activity'));
  const fromEvents = await runInsight({ ...context, personActivity: false }, parsed);
  return { withActivity, fromEvents, readActivity };
}

/** Rows where person_activity and the stored events disagree (who was active, and how many events), for every project. */
async function disagreements(): Promise<unknown[]> {
  const { rows } = await runQuery(fixture.server.db.pool, 'test.activity_disagrees',
    `WITH stored AS (SELECT project_id, event, sounder_count_bucket(timestamp) AS bucket, coalesce(person_id, md5(distinct_id)::uuid) AS person_id, count(*)::int AS events
                     FROM events GROUP BY 1, 2, 3, 4)
     (SELECT 'missing' AS side, * FROM stored EXCEPT SELECT 'missing', * FROM person_activity)
     UNION ALL
     (SELECT 'extra', * FROM person_activity EXCEPT SELECT 'extra', * FROM stored)`);
  return rows;
}

describe('person activity', () => {
  it('gives daily active users of local days from whole quarter hours', async () => {
    // Only the edges: in +05:30 the 5th ends at 18:30Z, so asha (18:14:59.999 and 18:29:59.999)
    // and bina (18:15) are active that day and only asha (18:30) on the 6th. In UTC all four
    // are on the 5th. In New York, bina's 06:59:59 and 07:00 on the 8th are both on the 8th (local
    // 01:59:59 EST and 03:00 EDT), and her purchases at 03:59 and 04:00 on the 9th are 23:59 on
    // the 8th and 00:00 on the 9th.
    const dau = async (projectTimezone: string, filter: Record<string, unknown>) => {
      const { context, texts } = await recorded(other.id, projectTimezone);
      const [series] = await runInsight(context, insightFilterSchema.parse(filter)) as Array<{ data: number[] }>;
      expect(texts.some((text) => text.includes('person_activity'))).toBe(true);
      return series!.data;
    };
    expect(await dau('Asia/Kolkata', { date_from: '2026-03-05', date_to: '2026-03-06', events: [{ id: '$pageview', math: 'dau' }] })).toEqual([2, 1]);
    expect(await dau('UTC', { date_from: '2026-03-05', date_to: '2026-03-06', events: [{ id: '$pageview', math: 'dau' }] })).toEqual([2, 0]);
    expect(await dau('America/New_York', { date_from: '2026-03-07', date_to: '2026-03-09', events: [{ id: '$pageview', math: 'dau' }] })).toEqual([0, 1, 0]);
    expect(await dau('America/New_York', { date_from: '2026-03-07', date_to: '2026-03-09', events: [{ id: 'purchase', math: 'dau' }] })).toEqual([0, 1, 1]);
  });

  it('agrees with the events for every insight that counts persons or their events, in every zone, with ranges on and off quarter hours', async () => {
    const { rows: [merged] } = await runQuery<{ n: number }>(fixture.server.db.pool, 'test.overrides', 'SELECT count(*)::int AS n FROM person_overrides WHERE project_id = $1', [fixture.server.project.id]);
    expect(merged!.n).toBeGreaterThan(0);
    const week = { date_from: '2026-03-02', date_to: '2026-03-10' };
    const readsActivity: Array<Record<string, unknown>> = [];
    for (const interval of ['hour', 'day', 'week', 'month']) readsActivity.push({ ...week, interval, events: [{ id: '$pageview', math: 'dau' }, { id: 'purchase', math: 'dau' }] });
    readsActivity.push(
      { ...week, events: [{ id: '$pageview', math: 'weekly_active' }, { id: 'signed up', math: 'monthly_active' }] },
      { ...week, display: 'ActionsLineGraphCumulative', events: [{ id: '$pageview', math: 'dau' }] },
      { ...week, display: 'BoldNumber', events: [{ id: '$pageview', math: 'weekly_active' }] },
      { ...week, breakdown: 'plan', breakdown_type: 'person', events: [{ id: '$pageview', math: 'dau' }] },
      { ...week, properties: [{ key: 'plan', value: 'pro', type: 'person' }], events: [{ id: '$pageview', math: 'dau' }] },
      { ...week, properties: [{ key: 'plan', operator: 'is_not_set', type: 'person' }], events: [{ id: 'purchase', math: 'dau' }] },
      // Bounds inside quarter hours: those minutes come from the events.
      { date_from: '2026-03-03T06:07:31', date_to: '2026-03-08T03:07:31', interval: 'hour', events: [{ id: '$pageview', math: 'dau' }] },
      { date_from: '-3d', events: [{ id: '$pageview', math: 'dau' }], compare: true },
      { insight: 'RETENTION', period: 'Day', total_intervals: 7, date_to: '2026-03-10', target_entity: { id: '$pageview', type: 'events' }, returning_entity: { id: 'purchase', type: 'events' } },
      { insight: 'RETENTION', period: 'Day', total_intervals: 7, date_to: '2026-03-10', retention_type: 'retention_first_time', target_entity: { id: 'signed up', type: 'events' } },
      { insight: 'RETENTION', period: 'Hour', total_intervals: 30, date_to: '2026-03-06T17:40:00', target_entity: { id: '$pageview', type: 'events' } },
      { insight: 'RETENTION', period: 'Week', total_intervals: 3, date_to: '2026-03-12', target_entity: { id: '$pageview', type: 'events' }, properties: [{ key: 'plan', value: 'free', type: 'person' }] },
      { ...week, insight: 'LIFECYCLE', interval: 'day', events: [{ id: '$pageview' }] },
      { ...week, insight: 'LIFECYCLE', interval: 'week', events: [{ id: 'purchase' }] },
      { date_from: '2026-03-04T05:10:00', date_to: '2026-03-05T09:50:00', insight: 'LIFECYCLE', interval: 'hour', events: [{ id: '$pageview' }] },
      { ...week, insight: 'STICKINESS', interval: 'day', events: [{ id: '$pageview' }, { id: 'purchase' }] },
      // Events counted by person: the activity's events per quarter hour.
      { ...week, properties: [{ key: 'plan', value: 'pro', type: 'person' }], events: [{ id: '$pageview' }, { id: 'purchase' }] },
      { ...week, interval: 'hour', breakdown: 'plan', breakdown_type: 'person', breakdown_limit: 1, events: [{ id: '$pageview' }] },
      { ...week, display: 'ActionsPie', properties: [{ key: 'plan', operator: 'is_not_set', type: 'person' }], events: [{ id: 'purchase' }] },
      { date_from: '2026-03-03T06:07:31', date_to: '2026-03-08T03:07:31', interval: 'hour', properties: [{ key: 'plan', value: 'free', type: 'person' }], events: [{ id: '$pageview' }] },
    );
    // Not answerable from presence: event filters, actions' conditions, minutes, a window ending mid-quarter.
    const readsEvents: Array<Record<string, unknown>> = [
      { ...week, properties: [{ key: '$browser', value: 'Chrome' }], events: [{ id: '$pageview', math: 'dau' }] },
      { date_from: '-2h', interval: 'minute', events: [{ id: '$pageview', math: 'dau' }] },
      { date_from: '2026-03-04', date_to: '2026-03-08T03:07:31', events: [{ id: '$pageview', math: 'weekly_active' }] },
      { date_from: '-2h', interval: 'minute', properties: [{ key: 'plan', value: 'pro', type: 'person' }], events: [{ id: '$pageview' }] },
      { ...week, properties: [{ key: 'plan', value: 'pro', type: 'person' }, { key: '$browser', value: 'Chrome' }], events: [{ id: '$pageview' }] },
    ];
    for (const timezone of ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York']) {
      for (const filter of [...readsActivity, ...readsEvents]) {
        const label = `${timezone} ${JSON.stringify(filter)}`;
        const { withActivity, fromEvents, readActivity } = await bothWays(timezone, filter);
        expect(withActivity, label).toEqual(fromEvents);
        expect(readActivity, label).toBe(readsActivity.includes(filter));
      }
    }
  });

  it('stays equal to the events through a replayed batch, later events of the same quarter hours, a deleted person, retention and a recount', async () => {
    const pool = fixture.server.db.pool;
    expect(await disagreements()).toEqual([]);
    await replayStoredEvents(fixture.server);
    expect(await disagreements()).toEqual([]);
    // New events in quarter hours their persons were already active in add to those rows' counts.
    const later = traffic.slice(0, 20).map((event) => ({ ...event, uuid: randomUUID(), timestamp: new Date(Date.parse(event.timestamp) + 1000).toISOString() }));
    expect((await sendCapture(fixture.server.url, { api_key: fixture.server.project.api_token, batch: later })).status).toBe(200);
    await fixture.server.drained();
    expect(await disagreements()).toEqual([]);

    // user-4 holds user-3's merged events too; user-39 sent no person profile.
    const { rows: [before] } = await runQuery<{ n: number }>(pool, 'test.activity_rows', 'SELECT count(*)::int AS n FROM person_activity WHERE project_id = $1', [fixture.server.project.id]);
    expect((await deletePerson(pool, fixture.server.project.id, { distinctId: 'user-4' }))!.events_deleted).toBeGreaterThan(0);
    expect(await disagreements()).toEqual([]);
    const { rows: [after] } = await runQuery<{ n: number }>(pool, 'test.activity_rows', 'SELECT count(*)::int AS n FROM person_activity WHERE project_id = $1', [fixture.server.project.id]);
    expect(after!.n).toBeLessThan(before!.n);

    // Neither cutoff is on a quarter-hour edge, so a quarter on each keeps only some of its persons.
    await retireOldEvents(fixture.server, { projectCutoff: new Date('2026-03-03T06:07:00Z'), cutoff: new Date('2026-03-09T12:05:00Z') }, async () => {
      expect(await disagreements()).toEqual([]);
    });
    const { rows: edgeRows } = await runQuery<{ distinct_id: string; bucket: Date }>(pool, 'test.edge_activity',
      `SELECT d.distinct_id, a.bucket FROM person_activity a JOIN person_distinct_ids d ON d.project_id = a.project_id AND d.person_uuid = a.person_id
       WHERE a.project_id = $1 AND d.distinct_id LIKE 'cutoff-%' ORDER BY 1, 2`, [fixture.server.project.id]);
    expect(edgeRows.map((row) => [row.distinct_id, row.bucket.toISOString()])).toEqual([['cutoff-b', '2026-03-09T12:00:00.000Z']]);
    const { withActivity, fromEvents, readActivity } = await bothWays('UTC', { date_from: '2026-03-01', date_to: '2026-03-12', events: [{ id: '$pageview', math: 'dau' }, { id: 'purchase', math: 'dau' }] });
    expect(readActivity).toBe(true);
    expect(withActivity).toEqual(fromEvents);
  });

  it('is rebuilt by `sounder recount` after events arrived without a worker', async () => {
    const pool = fixture.server.db.pool;
    await insertEvents(pool, [{ projectId: other.id, event: 'imported', distinctId: 'restored', timestamp: new Date('2026-03-10T10:20:00Z') }]);
    expect(await disagreements()).toHaveLength(1);
    await run(process.execPath, ['bin/sounder.js', 'recount', '--project', String(other.id), '--json'], { env: { ...process.env, DATABASE_URL: fixture.server.db.url } });
    expect(await disagreements()).toEqual([]);
  });
});
