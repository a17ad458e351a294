import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { getPaths } from '../src/query/paths/get-paths.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

const view = (distinct_id: string, time: string, url: string, session?: string): FixtureEvent => ({
  event: '$pageview', distinct_id, timestamp: `2026-06-01T${time}Z`, properties: { $current_url: `https://x.com${url}`, ...(session ? { $session_id: session } : {}) },
});
const events: FixtureEvent[] = [
  view('p1', '10:00:00', '/', 's1'), view('p1', '10:01:00', '/pricing?ref=a', 's1'), view('p1', '10:03:00', '/signup', 's1'),
  // No session ids: 55 idle minutes start a second session.
  view('p2', '10:00:00', '/'), view('p2', '10:05:00', '/pricing'), view('p2', '11:00:00', '/'), view('p2', '11:01:00', '/docs'),
  // The repeated home page collapses into one step.
  view('p3', '10:00:00', '/'), view('p3', '10:00:30', '/'), view('p3', '10:02:00', '/pricing/'),
  { event: 'signed up', distinct_id: 'p1', timestamp: '2026-06-01T10:04:00Z', properties: { $session_id: 's1' } },
  { event: '$screen', distinct_id: 'm1', timestamp: '2026-06-01T09:00:00Z', properties: { $screen_name: 'Home' } },
  { event: '$screen', distinct_id: 'm1', timestamp: '2026-06-01T09:00:10Z', properties: { $screen_name: 'Settings' } },
];

let fixture: InsightFixture;
beforeAll(async () => { fixture = await startInsightFixture(events); });
afterAll(() => fixture.stop());

async function paths(extra: Record<string, unknown>) {
  return getPaths(await fixture.context(), insightFilterSchema.parse({ insight: 'PATHS', date_from: '2026-06-01', date_to: '2026-06-01', path_strip_query: true, ...extra }));
}

describe('paths', () => {
  it('gives the top edges between steps, per session, with the average time between them', async () => {
    expect(await paths({})).toEqual([
      { source: '1_https://x.com', target: '2_https://x.com/pricing', value: 3, average_conversion_time: 160_000 },
      { source: '1_https://x.com', target: '2_https://x.com/docs', value: 1, average_conversion_time: 60_000 },
      { source: '2_https://x.com/pricing', target: '3_https://x.com/signup', value: 1, average_conversion_time: 120_000 },
    ]);
    // step_limit counts steps, so two steps make one edge.
    expect((await paths({ step_limit: 2 })).map((edge) => [edge.source, edge.target, edge.value]))
      .toEqual([['1_https://x.com', '2_https://x.com/pricing', 3], ['1_https://x.com', '2_https://x.com/docs', 1]]);
  });

  it('starts at a start point and stops at an end point', async () => {
    expect((await paths({ start_point: 'https://x.com/pricing' })).map((edge) => [edge.source, edge.target, edge.value]))
      .toEqual([['1_https://x.com/pricing', '2_https://x.com/signup', 1]]);
    expect((await paths({ end_point: 'https://x.com/pricing' })).map((edge) => [edge.source, edge.target, edge.value]))
      .toEqual([['1_https://x.com', '2_https://x.com/pricing', 3]]);
  });

  it('keeps URLs as sent, and screens, whole (on Postgres, the sessions come from path_sessions)', async () => {
    const edges = await paths({ path_strip_query: false });
    // The order of URLs that differ only after "pricing" depends on the collation; the edges do not.
    expect(edges).toHaveLength(5);
    expect(edges).toEqual(expect.arrayContaining([
      { source: '1_https://x.com/', target: '2_https://x.com/docs', value: 1, average_conversion_time: 60_000 },
      { source: '1_https://x.com/', target: '2_https://x.com/pricing', value: 1, average_conversion_time: 300_000 },
      // p3's two home pages are one step, timed from the first.
      { source: '1_https://x.com/', target: '2_https://x.com/pricing/', value: 1, average_conversion_time: 120_000 },
      { source: '1_https://x.com/', target: '2_https://x.com/pricing?ref=a', value: 1, average_conversion_time: 60_000 },
      { source: '2_https://x.com/pricing?ref=a', target: '3_https://x.com/signup', value: 1, average_conversion_time: 120_000 },
    ]));
    expect(await paths({ path_strip_query: false, include_event_types: ['$screen'], start_point: 'Settings' })).toEqual([]);
    expect(await paths({ path_strip_query: false, include_event_types: ['$screen'] })).toEqual([{ source: '1_Home', target: '2_Settings', value: 1, average_conversion_time: 10_000 }]);
  });

  it('follows mobile screens', async () => {
    expect((await paths({ include_event_types: ['$screen'] })).map((edge) => [edge.source, edge.target, edge.value])).toEqual([['1_Home', '2_Settings', 1]]);
  });

  it('mixes in custom events and keeps query strings when asked', async () => {
    const edges = await paths({ include_event_types: ['$pageview', 'custom_event'], path_strip_query: false });
    expect(edges.map((edge) => [edge.source, edge.target, edge.value])).toContainEqual(['3_https://x.com/signup', '4_signed up', 1]);
    expect(edges.map((edge) => edge.target)).toContain('2_https://x.com/pricing?ref=a');
  });
});

describe('paths over several sessions of one person', () => {
  // q1: a first session without /pricing, then, 49 idle minutes later, one that reaches it twice.
  const later: FixtureEvent[] = [
    view('q1', '10:00:00', '/docs'), view('q1', '10:01:00', '/signup'),
    view('q1', '10:50:00', '/home'), view('q1', '10:51:00', '/pricing'), view('q1', '10:52:00', '/signup'), view('q1', '10:53:00', '/pricing'), view('q1', '10:54:00', '/docs'),
    view('q2', '10:00:00', '/pricing'), view('q2', '10:01:00', '/docs'),
  ];
  let sessions: InsightFixture;
  beforeAll(async () => { sessions = await startInsightFixture(later); });
  afterAll(() => sessions.stop());
  const edges = async (extra: Record<string, unknown>) => (await getPaths(await sessions.context(), insightFilterSchema.parse({
    insight: 'PATHS', date_from: '2026-06-01', date_to: '2026-06-01', path_strip_query: true, ...extra,
  }))).map((edge) => [edge.source, edge.target, edge.value]);

  it('starts each session at its first start point, and ends it at its first end point', async () => {
    expect(await edges({ start_point: 'https://x.com/pricing' })).toEqual([
      ['1_https://x.com/pricing', '2_https://x.com/docs', 1],
      ['1_https://x.com/pricing', '2_https://x.com/signup', 1],
      ['2_https://x.com/signup', '3_https://x.com/pricing', 1],
      ['3_https://x.com/pricing', '4_https://x.com/docs', 1],
    ]);
    expect(await edges({ start_point: 'https://x.com/pricing', end_point: 'https://x.com/signup' })).toEqual([['1_https://x.com/pricing', '2_https://x.com/signup', 1]]);
    expect(await edges({ end_point: 'https://x.com/signup' })).toEqual([
      ['1_https://x.com/docs', '2_https://x.com/signup', 1],
      ['1_https://x.com/home', '2_https://x.com/pricing', 1],
      ['2_https://x.com/pricing', '3_https://x.com/signup', 1],
    ]);
  });
});
