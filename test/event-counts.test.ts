import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../src/accounts/projects.ts';
import { runQuery } from '../src/db/pool.ts';
import { deletePerson } from '../src/privacy/delete-person.ts';
import { resolveRange } from '../src/query/filters/date-range.ts';
import { matchEntity } from '../src/query/filters/entity-condition.ts';
import type { InsightContext } from '../src/query/insight-context.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { countedSeriesQuery } from '../src/query/trends/counted-series.ts';
import { getTrends } from '../src/query/trends/get-trends.ts';
import { recountEvents } from '../src/rollups/event-counts.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { insertEvents } from './helpers/event-rows.ts';
import { replayStoredEvents, retireOldEvents, rollupEdges } from './helpers/rollup-steps.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

// The rollup edges and a few days of ordinary traffic.
const edges = rollupEdges;
const names = ['$pageview', '$pageview', 'purchase', 'signed up', '$autocapture'];
const traffic: FixtureEvent[] = Array.from({ length: 400 }, (_, i) => ({
  event: names[i % names.length]!,
  distinct_id: `user-${i % 37}`,
  // 7 days from 2026-03-04 in steps that fall on every minute of the hour over the run.
  timestamp: new Date(Date.parse('2026-03-04T00:00:00Z') + i * 1_511_713).toISOString(),
}));

const run = promisify(execFile);

let fixture: InsightFixture;
let other: Project;
beforeAll(async () => {
  fixture = await startInsightFixture([...edges, ...traffic]);
  // Another project's pageviews, in the same buckets, must never be counted.
  other = await createProject(fixture.server.db.pool, 'Other');
  const response = await sendCapture(fixture.server.url, { api_key: other.api_token, batch: edges.map((event) => ({ ...event, uuid: randomUUID() })) });
  expect(response.status).toBe(200);
  await fixture.server.drained();
});
afterAll(() => fixture.stop());

async function inZone(timezone: string, now?: string): Promise<InsightContext> {
  const context = await fixture.context(now);
  return { ...context, project: { ...context.project, timezone } };
}

/** The same trends asked from event_counts and from the events alone. */
async function bothWays(context: InsightContext, filter: Record<string, unknown>) {
  const parsed = insightFilterSchema.parse(filter);
  return { counted: await getTrends(context, parsed), read: await getTrends({ ...context, eventCounts: false }, parsed) };
}

/** Rows where event_counts and a count of the stored events disagree (for every project, event and bucket). */
async function disagreements(): Promise<unknown[]> {
  const { rows } = await runQuery(fixture.server.db.pool, 'test.counts_disagree',
    `SELECT * FROM (SELECT project_id, event, bucket, sum(events)::int AS n FROM event_counts GROUP BY 1, 2, 3 HAVING sum(events) <> 0) c
     FULL JOIN (SELECT project_id, event, sounder_count_bucket(timestamp) AS bucket, count(*)::int AS n FROM events GROUP BY 1, 2, 3) e
       USING (project_id, event, bucket)
     WHERE c.n IS DISTINCT FROM e.n`);
  return rows;
}

describe('event counts', () => {
  it('give local days in a +05:30 zone from whole 15-minute buckets', async () => {
    const context = await inZone('Asia/Kolkata');
    const [result] = await getTrends(context, insightFilterSchema.parse({ date_from: '2026-03-05', date_to: '2026-03-06', events: [{ id: '$pageview' }] }));
    // Local 2026-03-05 ends at 18:30Z: the two events at 18:14:59.999 and 18:15 and the one at
    // 18:29:59.999 are on the 5th, 18:30 on the 6th (with the traffic of those days).
    const traffic5 = traffic.filter((e) => e.event === '$pageview' && e.timestamp >= '2026-03-04T18:30:00.000Z' && e.timestamp < '2026-03-05T18:30:00.000Z').length;
    const traffic6 = traffic.filter((e) => e.event === '$pageview' && e.timestamp >= '2026-03-05T18:30:00.000Z' && e.timestamp < '2026-03-06T18:30:00.000Z').length;
    expect(result!.data).toEqual([traffic5 + 3, traffic6 + 1]);
    const entity = await matchEntity(context, { id: '$pageview', type: 'events' });
    const range = await resolveRange(context, { dateFrom: '2026-03-05', dateTo: '2026-03-06', interval: 'day' });
    expect(countedSeriesQuery(context, { entity, math: 'total', properties: { type: 'AND', values: [] } }, range)?.text).toContain('event_counts');
  });

  it('agree with the events for every interval, zone and display, and for ranges that start and end mid-bucket', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [];
    for (const timezone of ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York']) {
      for (const interval of ['hour', 'day', 'week', 'month']) {
        cases.push([timezone, { interval, date_from: '2026-03-04', date_to: '2026-03-11', events: [{ id: '$pageview' }, { id: null }, { id: 'purchase' }] }]);
      }
      cases.push([timezone, { date_from: '2026-03-03', date_to: '2026-03-12', display: 'BoldNumber', events: [{ id: '$pageview' }] }]);
      cases.push([timezone, { date_from: '2026-03-03', date_to: '2026-03-12', display: 'ActionsLineGraphCumulative', events: [{ id: '$pageview' }] }]);
      cases.push([timezone, { date_from: '-3d', interval: 'hour', events: [{ id: '$pageview' }], compare: true }]);
      // Ranges that start and end inside a bucket: those minutes come from the events.
      cases.push([timezone, { date_from: '2026-03-05T06:07:31', date_to: '2026-03-09T03:07:31', interval: 'hour', events: [{ id: '$pageview' }, { id: null }] }]);
      cases.push([timezone, { date_from: '2026-03-04T18:20:00+00:00', date_to: '2026-03-08T07:05:00+00:00', interval: 'day', events: [{ id: '$pageview' }] }]);
      cases.push([timezone, { date_from: '2026-03-04T18:20:00+00:00', date_to: '2026-03-08T07:05:00+00:00', display: 'BoldNumber', events: [{ id: '$pageview' }] }]);
    }
    for (const [timezone, filter] of cases) {
      const { counted, read } = await bothWays(await inZone(timezone, '2026-03-09T03:07:31.250Z'), filter);
      expect(counted, `${timezone} ${JSON.stringify(filter)}`).toEqual(read);
    }
  });

  it('stay equal to the events through a replayed batch, a deleted person, retention and a recount', async () => {
    const pool = fixture.server.db.pool;
    expect(await disagreements()).toEqual([]);
    // A client's retry of events already stored: the worker drops them, and counts nothing.
    await replayStoredEvents(fixture.server);
    expect(await disagreements()).toEqual([]);

    const deleted = await deletePerson(pool, fixture.server.project.id, { distinctId: 'bina' });
    expect(deleted!.events_deleted).toBeGreaterThan(0);
    expect(await disagreements()).toEqual([]);

    // The project's cutoff is not on a bucket edge, so one bucket loses only some of its events.
    await retireOldEvents(fixture.server, { projectCutoff: new Date('2026-03-05T06:07:00Z'), cutoff: new Date('2026-03-09T12:00:00Z') }, async () => {
      expect(await disagreements()).toEqual([]);
    });

    const before = await runQuery(pool, 'test.counts', 'SELECT event, bucket, sum(events)::int AS n FROM event_counts WHERE project_id = $1 GROUP BY 1, 2 HAVING sum(events) <> 0 ORDER BY 1, 2', [other.id]);
    await recountEvents(pool, other.id);
    const after = await runQuery(pool, 'test.counts', 'SELECT event, bucket, sum(events)::int AS n FROM event_counts WHERE project_id = $1 GROUP BY 1, 2 ORDER BY 1, 2', [other.id]);
    expect(after.rows).toEqual(before.rows);
    expect(await disagreements()).toEqual([]);

    const { counted, read } = await bothWays(await fixture.context(), { date_from: '2026-03-01', date_to: '2026-03-12', events: [{ id: '$pageview' }, { id: 'purchase' }] });
    expect(counted).toEqual(read);
  });

  it('are rebuilt by `sounder recount` after events arrived without a worker', async () => {
    const pool = fixture.server.db.pool;
    await insertEvents(pool, [{ projectId: other.id, event: 'imported', distinctId: 'restored', timestamp: new Date('2026-03-10T10:20:00Z') }]);
    expect(await disagreements()).toHaveLength(1);
    const { stdout } = await run(process.execPath, ['bin/sounder.js', 'recount', '--project', String(other.id), '--json'], { env: { ...process.env, DATABASE_URL: fixture.server.db.url } });
    const { rows: [stored] } = await runQuery<{ n: number }>(pool, 'test.other_events', 'SELECT count(*)::int AS n FROM events WHERE project_id = $1', [other.id]);
    expect(JSON.parse(stdout)).toEqual([{ project_id: other.id, events: stored!.n }]);
    expect(await disagreements()).toEqual([]);
  });
});
