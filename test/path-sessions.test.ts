import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery, type Queryable } from '../src/db/pool.ts';
import { deletePerson } from '../src/privacy/delete-person.ts';
import { createInsightContext } from '../src/query/insight-context.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { runInsight } from '../src/query/run-insight.ts';
import { storedEventSessions } from '../src/rollups/path-sessions.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { retireOldEvents } from './helpers/rollup-steps.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

// Gaps between one person's views: exactly 30 minutes (the same session) and a millisecond more
// (a new one), none at all (a tie, ordered by uuid), and idle hours.
const gaps = [60_000, 300_000, 1_800_000, 1_800_001, 0, 3_600_000, 120_000, 1_740_000, 21_600_000, 45_000];
const pages = ['/', '/pricing', '/docs', '/', '/signup?ref=ad', '/docs'];
const start = Date.parse('2026-03-02T00:00:00Z');

/**
 * 23 ids over about nine days, 40 views each (a day and a half of them): ids 0, 3, 6, ... send session ids that change
 * every 7 views; ids 1, 6, 11, ... are a mobile app sending screens; ids 20-22 send no person
 * profile; every 17th view has no URL.
 */
function timelines(): FixtureEvent[][] {
  return Array.from({ length: 23 }, (_, id) => {
    let time = start + id * 8 * 3_600_000;
    return Array.from({ length: 40 }, (_, k) => {
      time += gaps[(id * 7 + k) % gaps.length]!;
      const properties: Record<string, unknown> = {};
      const screen = id % 5 === 1;
      if ((id + k) % 17 !== 0) properties[screen ? '$screen_name' : '$current_url'] = screen ? `Screen ${(id + k * k) % 4}` : `https://x.com${pages[(id + k * k) % pages.length]}`;
      if (id % 3 === 0) properties.$session_id = `s-${id}-${Math.floor(k / 7)}`;
      if (id >= 20) properties.$process_person_profile = false;
      return { event: screen ? '$screen' : '$pageview', distinct_id: `user-${id}`, timestamp: new Date(time).toISOString(), properties };
    });
  });
}

const run = promisify(execFile);
const now = '2026-03-12T00:00:00Z';
const all = timelines();
// Half of each person's views first; the rest arrive later, between and around them.
const early = all.flatMap((views) => views.filter((_, k) => k % 2 === 0 || k < 4));
const late = all.flatMap((views) => views.filter((_, k) => k % 2 === 1 && k >= 4));
const merge: FixtureEvent = { event: '$identify', distinct_id: 'user-4', timestamp: '2026-03-04T00:00:00Z', properties: { $anon_distinct_id: 'user-3' } };

let fixture: InsightFixture;
beforeAll(async () => { fixture = await startInsightFixture([...early, merge], { postgresOnly: true }); });
afterAll(() => fixture.stop());

async function send(events: FixtureEvent[]): Promise<void> {
  const response = await sendCapture(fixture.server.url, { api_key: fixture.server.project.api_token, batch: events.map((event) => ({ ...event, uuid: randomUUID() })) });
  expect(response.status).toBe(200);
  await fixture.server.drained();
}

/** Sessions where path_sessions and a cut of every stored event from scratch disagree. */
async function disagreements(): Promise<unknown[]> {
  const { rows } = await runQuery(fixture.server.db.pool, 'test.path_sessions_disagree',
    `WITH fresh AS (${storedEventSessions('TRUE')}),
       kept AS (SELECT project_id, kind, person_id, first_at, last_at, distinct_id, items, times FROM path_sessions)
     (SELECT 'missing' AS side, * FROM fresh EXCEPT ALL SELECT 'missing', * FROM kept)
     UNION ALL
     (SELECT 'extra', * FROM kept EXCEPT ALL SELECT 'extra', * FROM fresh)`);
  return rows;
}

const filters: Array<Record<string, unknown>> = [
  { date_from: '2026-03-01', date_to: '2026-03-11' },
  { date_from: '2026-03-01', date_to: '2026-03-11', start_point: 'https://x.com/docs' },
  { date_from: '2026-03-01', date_to: '2026-03-11', end_point: 'https://x.com/signup?ref=ad', step_limit: 3 },
  { date_from: '2026-03-01', date_to: '2026-03-11', include_event_types: ['$screen'] },
  // Bounds through the middle of sessions (user-22's of 09:00 to 09:31 and of 15:31 to 16:07 on
  // the 9th, user-5's of 17:00 to 17:31 on the 3rd, and restored's, stored without a person id,
  // of 10:01 to 10:05 on the 6th): only their parts inside count.
  { date_from: '2026-03-09T09:01:00', date_to: '2026-03-09T15:33:00' },
  { date_from: '2026-03-06T10:01:30', date_to: '2026-03-06T12:00:00' },
  { date_from: '2026-03-02T00:20:00', date_to: '2026-03-03T17:10:00', start_point: 'https://x.com/signup?ref=ad' },
  { date_from: '2026-03-03T06:07:31', date_to: '2026-03-05T03:07:31' },
  { date_from: '2026-03-03T06:07:31', date_to: '2026-03-05T03:07:31', start_point: 'https://x.com/pricing', edge_limit: 3 },
  { date_from: '-5d', include_event_types: ['$screen'], start_point: 'Screen 1' },
];
// Not answerable from the rollup: stripped query strings, event or person filters, mixed kinds.
const fromEventsOnly: Array<Record<string, unknown>> = [
  { date_from: '2026-03-01', date_to: '2026-03-11', path_strip_query: true },
  { date_from: '2026-03-01', date_to: '2026-03-11', properties: [{ key: '$session_id', operator: 'is_set' }] },
  { date_from: '2026-03-01', date_to: '2026-03-11', include_event_types: ['$pageview', '$screen'] },
];

/** Every filter's paths read with path_sessions and from the events alone, which must agree; and whether the first read path_sessions. */
async function expectPathsAgree(): Promise<void> {
  const pool = fixture.server.db.pool;
  const texts: string[] = [];
  const db = { query: (text: string, values?: unknown[]) => { texts.push(text); return pool.query(text, values); } } as unknown as Queryable;
  const context = await createInsightContext(db, fixture.server.project.id, new Date(now));
  for (const filter of [...filters, ...fromEventsOnly]) {
    const label = JSON.stringify(filter);
    // Every edge, unless the filter limits them: a difference in one is not lost below the top 50.
    const parsed = insightFilterSchema.parse({ insight: 'PATHS', edge_limit: 1000, ...filter });
    texts.length = 0;
    const stored = await runInsight(context, parsed);
    expect(texts.some((text) => text.includes('path_sessions')), label).toBe(filters.includes(filter));
    expect(stored, label).toEqual(await runInsight({ ...context, pathSessions: false }, parsed));
  }
}

describe('path sessions', () => {
  it('are the sessions of the stored events, kept as views arrive out of order, and paths read from them agree with the events', async () => {
    expect(await disagreements()).toEqual([]);
    const { rows: [counts] } = await runQuery<{ sessions: number; merged: number }>(fixture.server.db.pool, 'test.path_session_counts',
      `SELECT (SELECT count(*)::int FROM path_sessions WHERE project_id = $1) AS sessions, (SELECT count(*)::int FROM person_overrides WHERE project_id = $1) AS merged`,
      [fixture.server.project.id]);
    expect(counts!.sessions).toBeGreaterThan(100);
    expect(counts!.merged).toBeGreaterThan(0);

    // Views between and around the stored ones join sessions, and join two sessions into one.
    await send(late);
    expect(await disagreements()).toEqual([]);
    await expectPathsAgree();

    // A client's retry adds nothing; a new session id in the middle of a session splits it.
    const { rows: stored } = await runQuery<{ uuid: string; event: string; distinct_id: string; timestamp: Date; properties: Record<string, unknown> }>(fixture.server.db.pool, 'test.stored',
      `SELECT uuid::text, event, distinct_id, timestamp, properties FROM events WHERE project_id = $1 AND event = '$pageview' ORDER BY timestamp LIMIT 60`, [fixture.server.project.id]);
    const replay = stored.map((row) => ({ uuid: row.uuid, event: row.event, distinct_id: row.distinct_id, timestamp: row.timestamp.toISOString(), properties: row.properties }));
    expect((await sendCapture(fixture.server.url, { api_key: fixture.server.project.api_token, batch: replay })).status).toBe(200);
    await fixture.server.drained();
    const split = all[0]!.slice(10, 12).map((view) => ({ ...view, timestamp: new Date(Date.parse(view.timestamp) + 1).toISOString(), properties: { ...view.properties, $session_id: 'elsewhere' } }));
    await send(split);
    expect(await disagreements()).toEqual([]);
    await expectPathsAgree();
  });

  it('follow a deleted person, retention and a recount', async () => {
    const pool = fixture.server.db.pool;
    const projectId = fixture.server.project.id;
    // user-4 holds user-3's merged views; user-19 is on her own.
    for (const distinctId of ['user-4', 'user-19']) {
      expect((await deletePerson(pool, projectId, { distinctId }))!.events_deleted).toBeGreaterThan(0);
    }
    expect(await disagreements()).toEqual([]);
    await expectPathsAgree();

    // Each cutoff falls inside a session (user-5's of 17:00 to 17:31 on the 3rd, user-21's of
    // 15:06 to 15:43 on the 9th), which keeps its later views.
    await retireOldEvents(fixture.server, { projectCutoff: new Date('2026-03-03T17:10:00Z'), cutoff: new Date('2026-03-09T15:10:00Z') }, async () => {
      expect(await disagreements()).toEqual([]);
    });
    await expectPathsAgree();

    // Views stored without a worker (and without a person id) are cut by `sounder recount`.
    await runQuery(pool, 'test.insert_views',
      `INSERT INTO events (uuid, project_id, event, distinct_id, properties, timestamp)
       SELECT gen_random_uuid(), $1, '$pageview', 'restored', jsonb_build_object('$current_url', 'https://x.com' || p), $2::timestamptz + n * interval '1 minute'
       FROM unnest(ARRAY['/', '/docs', '/pricing']) WITH ORDINALITY AS r(p, n)`, [projectId, '2026-03-06T10:00:00Z']);
    expect(await disagreements()).toHaveLength(1);
    await run(process.execPath, ['bin/sounder.js', 'recount', '--project', String(projectId), '--json'], { env: { ...process.env, DATABASE_URL: fixture.server.db.url } });
    expect(await disagreements()).toEqual([]);
    // Their person's later views, from a worker, join the same session.
    await send([{ event: '$pageview', distinct_id: 'restored', timestamp: '2026-03-06T10:05:00Z', properties: { $current_url: 'https://x.com/signup', $process_person_profile: false } }]);
    expect(await disagreements()).toEqual([]);
    const { rows: [restored] } = await runQuery<{ items: string[] }>(pool, 'test.restored_session',
      `SELECT items FROM path_sessions WHERE project_id = $1 AND distinct_id = 'restored'`, [projectId]);
    expect(restored!.items).toEqual(['https://x.com/', 'https://x.com/docs', 'https://x.com/pricing', 'https://x.com/signup']);
    await expectPathsAgree();
  });
});
