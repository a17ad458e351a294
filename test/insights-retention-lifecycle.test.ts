import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { getLifecycle, getLifecyclePersonIds } from '../src/query/lifecycle/get-lifecycle.ts';
import { getRetention, getRetentionPersonIds } from '../src/query/retention/get-retention.ts';
import { getStickiness, getStickinessPersonIds } from '../src/query/stickiness/get-stickiness.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

const visits: Record<string, string[]> = {
  a: ['05-01', '05-02', '05-04'],
  b: ['05-01', '05-03'],
  c: ['05-02', '05-03'],
  d: ['04-28', '05-03'],
};
// Purchases, for retention whose returning event is another than its start event.
const purchases: Record<string, string[]> = { a: ['05-03'], b: ['05-02', '05-03'], c: ['05-04'] };
// e's first open is in the lookback before a range starting 05-01 (which reaches back 25 hours).
const personlessOpens: Record<string, string[]> = { e: ['04-29T23:30:00', '05-02T09:00:00'], f: ['05-02T10:00:00', '05-03T10:00:00'] };
const events: FixtureEvent[] = [
  ...Object.entries(visits).flatMap(([distinct_id, days]) => days.map((day) => ({ event: '$pageview', distinct_id, timestamp: `2026-${day}T12:00:00Z`, properties: {} }))),
  ...Object.entries(purchases).flatMap(([distinct_id, days]) => days.map((day) => ({ event: 'purchase', distinct_id, timestamp: `2026-${day}T13:00:00Z`, properties: {} }))),
  // Sent without person profiles, so with no creation time: lifecycle tells new persons by their first activity.
  ...Object.entries(personlessOpens).flatMap(([distinct_id, times]) => times.map((time) => ({ event: 'opened app', distinct_id, timestamp: `2026-${time}Z`, properties: { $process_person_profile: false } }))),
];

// Long after the data: retention ranges end at date_to, not now.
const later = '2026-09-01T00:00:00Z';
let fixture: InsightFixture;
beforeAll(async () => { fixture = await startInsightFixture(events); });
afterAll(() => fixture.stop());

const parse = (filter: Record<string, unknown>) => insightFilterSchema.parse(filter);
async function distinctIds(personIds: string[]): Promise<string[]> {
  const { rows } = await runQuery<{ distinct_id: string }>(fixture.server.db.pool, 'test.ids',
    'SELECT distinct_id FROM person_distinct_ids WHERE person_uuid = ANY($1::uuid[]) ORDER BY 1', [personIds]);
  return rows.map((row) => row.distinct_id);
}

const retentionFilter = (extra: Record<string, unknown> = {}) => parse({
  insight: 'RETENTION', period: 'Day', total_intervals: 4, date_to: '2026-05-04', target_entity: { id: '$pageview', type: 'events' }, ...extra,
});

describe('retention', () => {
  it('recurring: a cohort per day of the start event, then who came back each later day', async () => {
    const table = await getRetention(await fixture.context(later), retentionFilter());
    expect(table.map((row) => row.date)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04']);
    expect(table.map((row) => row.label)).toEqual(['Day 0', 'Day 1', 'Day 2', 'Day 3']);
    expect(table.map((row) => row.values.map((value) => value.count))).toEqual([[2, 1, 1, 1], [2, 1, 1], [3, 0], [1]]);
  });

  it('first time: a person joins only the cohort of their first-ever start event', async () => {
    const table = await getRetention(await fixture.context(later), retentionFilter({ retention_type: 'retention_first_time' }));
    expect(table.map((row) => row.values.map((value) => value.count))).toEqual([[2, 1, 1, 1], [1, 1, 0], [0, 0], [0]]);
  });

  it('gives the same cells past 63 periods, where a person\'s periods no longer fit one bigint', async () => {
    const context = await fixture.context(later);
    for (const retention_type of ['retention_recurring', 'retention_first_time']) {
      for (const returning_entity of [undefined, { id: 'purchase', type: 'events' }]) {
        const short = await getRetention(context, retentionFilter({ total_intervals: 63, retention_type, returning_entity }));
        const long = await getRetention(context, retentionFilter({ total_intervals: 64, retention_type, returning_entity }));
        const cells = (table: typeof short) => table.map((row) => [row.date, row.values.map((value) => value.count)]);
        expect(cells(long.slice(1))).toEqual(cells(short));
      }
    }
    const recurring = await getRetention(context, retentionFilter({ total_intervals: 64 }));
    expect(recurring.slice(-4).map((row) => row.values.map((value) => value.count))).toEqual([[2, 1, 1, 1], [2, 1, 1], [3, 0], [1]]);
  });

  it('recurring with another returning event: who did it each later day, of each cohort of the start event', async () => {
    const table = await getRetention(await fixture.context(later), retentionFilter({ returning_entity: { id: 'purchase', type: 'events' } }));
    // 05-01's cohort {a, b}: b bought on 05-02, both on 05-03, neither on 05-04 (c did).
    expect(table.map((row) => row.values.map((value) => value.count))).toEqual([[2, 1, 2, 0], [2, 1, 1], [3, 1], [1]]);
  });

  it('lists the persons of a cell', async () => {
    const context = await fixture.context(later);
    expect(await distinctIds(await getRetentionPersonIds(context, retentionFilter(), 0, 0))).toEqual(['a', 'b']);
    expect(await distinctIds(await getRetentionPersonIds(context, retentionFilter(), 0, 2))).toEqual(['b']);
    expect(await distinctIds(await getRetentionPersonIds(context, retentionFilter(), 2, 0))).toEqual(['b', 'c', 'd']);
  });

  it('reads hourly and monthly periods', async () => {
    const hours = await getRetention(await fixture.context(later), retentionFilter({ period: 'Hour', total_intervals: 2, date_to: '2026-05-03T13:30:00Z' }));
    expect(hours.map((row) => [row.date, row.values.map((value) => value.count)])).toEqual([['2026-05-03 12:00:00', [3, 0]], ['2026-05-03 13:00:00', [0]]]);
    const months = await getRetention(await fixture.context(later), retentionFilter({ period: 'Month', total_intervals: 2, date_to: '2026-05-31' }));
    expect(months.map((row) => [row.date, row.values.map((value) => value.count)])).toEqual([['2026-04-01', [1, 1]], ['2026-05-01', [4]]]);
  });

  it('weekly periods start on the project week start day', async () => {
    const table = await getRetention(await fixture.context(later), retentionFilter({ period: 'Week', total_intervals: 2, date_to: '2026-05-04' }));
    // Sunday weeks: 2026-04-26 to May 2 holds a visit of each of the four; so does the week from 2026-05-03.
    expect(table.map((row) => [row.date, row.values.map((value) => value.count)])).toEqual([['2026-04-26', [4, 4]], ['2026-05-03', [4]]]);
    const mondays = await getRetention({ ...await fixture.context(later), project: { ...(await fixture.context(later)).project, weekStartDay: 1 } },
      retentionFilter({ period: 'Week', total_intervals: 2, date_to: '2026-05-04' }));
    // Monday weeks: 2026-04-27 to May 3 (all four), then May 4 (only a).
    expect(mondays.map((row) => [row.date, row.values.map((value) => value.count)])).toEqual([['2026-04-27', [4, 1]], ['2026-05-04', [1]]]);
  });

  it('places events in the project\'s local days, a purchase at local midnight in the day it starts', async () => {
    // Norfolk Island is 11 hours ahead in May: visits (12:00Z) stay on their day, purchases (13:00Z) land on the next one at 00:00.
    const table = await getRetention(await inZone('Pacific/Norfolk'), retentionFilter({ returning_entity: { id: 'purchase', type: 'events' } }));
    // Purchases: a on 05-04; b on 05-03 and 05-04; c on 05-05, after the range.
    expect(table.map((row) => row.values.map((value) => value.count))).toEqual([[2, 0, 1, 2], [2, 0, 1], [3, 1], [1]]);
  });
});

async function inZone(timezone: string) {
  const context = await fixture.context(later);
  return { ...context, project: { ...context.project, timezone } };
}

describe('stickiness', () => {
  it('counts persons by how many days they were active', async () => {
    const [result] = await getStickiness(await fixture.context(later), parse({ insight: 'STICKINESS', events: [{ id: '$pageview' }], date_from: '2026-05-01', date_to: '2026-05-04' }));
    expect(result!.data).toEqual([1, 2, 1, 0]);
    expect(result!.labels).toEqual(['1 day', '2 days', '3 days', '4 days']);
    const twoDays = await getStickinessPersonIds(await fixture.context(later), parse({ events: [{ id: '$pageview' }], date_from: '2026-05-01', date_to: '2026-05-04' }), 0, 2);
    expect(await distinctIds(twoDays)).toEqual(['b', 'c']);
  });
});

describe('lifecycle', () => {
  const filter = parse({ insight: 'LIFECYCLE', events: [{ id: '$pageview' }], date_from: '2026-05-01', date_to: '2026-05-04' });
  it('splits active persons into new, returning and resurrecting, and counts dormant ones negative', async () => {
    const results = await getLifecycle(await fixture.context(later), filter);
    expect(Object.fromEntries(results.map((result) => [result.status, result.data]))).toEqual({
      new: [2, 1, 0, 0], returning: [0, 1, 1, 0], resurrecting: [0, 0, 2, 1], dormant: [0, -1, -1, -3],
    });
  });

  it('lists the persons behind a bar', async () => {
    const context = await fixture.context(later);
    expect(await distinctIds(await getLifecyclePersonIds(context, filter, 'resurrecting', '2026-05-03 00:00:00'))).toEqual(['b', 'd']);
    expect(await distinctIds(await getLifecyclePersonIds(context, filter, 'dormant', '2026-05-04 00:00:00'))).toEqual(['b', 'c', 'd']);
  });

  it('calls a person with no creation time new when first active, unless they were active in the lookback', async () => {
    const opens = parse({ insight: 'LIFECYCLE', events: [{ id: 'opened app' }], date_from: '2026-05-01', date_to: '2026-05-04' });
    const results = await getLifecycle(await fixture.context(later), opens);
    expect(Object.fromEntries(results.map((result) => [result.status, result.data]))).toEqual({
      new: [0, 1, 0, 0], returning: [0, 0, 1, 0], resurrecting: [0, 1, 0, 0], dormant: [0, 0, -1, -1],
    });
    expect(await getLifecyclePersonIds(await fixture.context(later), opens, 'resurrecting', '2026-05-02 00:00:00')).toHaveLength(1);
  });

  it('gives the same bars past 61 periods, where a person\'s periods no longer fit one bigint', async () => {
    const context = await fixture.context(later);
    const long = parse({ ...filter, date_from: '2026-02-20' });
    const results = await getLifecycle(context, long);
    expect(results[0]!.data).toHaveLength(74);
    expect(Object.fromEntries(results.map((result) => [result.status, result.data.slice(-4)]))).toEqual({
      new: [2, 1, 0, 0], returning: [0, 1, 1, 0], resurrecting: [0, 0, 2, 1], dormant: [0, -1, -1, -3],
    });
    expect(await distinctIds(await getLifecyclePersonIds(context, long, 'dormant', '2026-05-04 00:00:00'))).toEqual(['b', 'c', 'd']);
  });

  it('places activity in the project\'s local days', async () => {
    const purchases = parse({ insight: 'LIFECYCLE', events: [{ id: 'purchase' }], date_from: '2026-05-01', date_to: '2026-05-04' });
    // In UTC: b resurrects on 05-02; a resurrects and b returns on 05-03; c resurrects and a and b go dormant on 05-04.
    const utc = await getLifecycle(await fixture.context(later), purchases);
    expect(Object.fromEntries(utc.map((result) => [result.status, result.data]))).toEqual({
      new: [0, 0, 0, 0], returning: [0, 0, 1, 0], resurrecting: [0, 1, 1, 1], dormant: [0, 0, 0, -2],
    });
    // On Norfolk Island (11 hours ahead) every purchase is a day later, at local midnight: c's falls after the range.
    const norfolk = await getLifecycle(await inZone('Pacific/Norfolk'), purchases);
    expect(Object.fromEntries(norfolk.map((result) => [result.status, result.data]))).toEqual({
      new: [0, 0, 0, 0], returning: [0, 0, 0, 1], resurrecting: [0, 0, 1, 1], dormant: [0, 0, 0, 0],
    });
  });
});
