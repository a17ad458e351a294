import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { getTrends } from '../src/query/trends/get-trends.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

// Four people over four days (UTC). Expected numbers below are counted by hand from this list.
const events: FixtureEvent[] = [
  { event: '$identify', distinct_id: 'alice', timestamp: '2026-03-02T09:00:00Z', properties: { $set: { email: 'alice@example.com', plan: 'pro' } } },
  { event: '$pageview', distinct_id: 'alice', timestamp: '2026-03-02T10:00:00Z', properties: { $browser: 'Chrome', $session_id: 's1' } },
  { event: '$pageview', distinct_id: 'alice', timestamp: '2026-03-02T11:00:00Z', properties: { $browser: 'Chrome', $session_id: 's1' } },
  { event: '$pageview', distinct_id: 'bob', timestamp: '2026-03-02T12:00:00Z', properties: { $browser: 'Firefox', $session_id: 's2' } },
  { event: 'purchase', distinct_id: 'alice', timestamp: '2026-03-03T09:00:00Z', properties: { revenue: 30 } },
  { event: '$pageview', distinct_id: 'carol', timestamp: '2026-03-03T13:00:00Z', properties: { $browser: 'Safari', $session_id: 's3' } },
  { event: '$pageview', distinct_id: 'carol', timestamp: '2026-03-03T13:05:00Z', properties: { $browser: 'Safari', $session_id: 's3' } },
  { event: '$pageview', distinct_id: 'alice', timestamp: '2026-03-04T08:00:00Z', properties: { $browser: 'Firefox', $session_id: 's4' } },
  { event: 'purchase', distinct_id: 'bob', timestamp: '2026-03-04T10:00:00Z', properties: { revenue: '10' } },
  { event: 'purchase', distinct_id: 'bob', timestamp: '2026-03-04T11:00:00Z', properties: { revenue: 'not a number' } },
  { event: '$pageview', distinct_id: 'dave', timestamp: '2026-03-05T20:00:00Z', properties: {} },
];

let fixture: InsightFixture;
beforeAll(async () => { fixture = await startInsightFixture(events); });
afterAll(() => fixture.stop());

const range = { date_from: '2026-03-02', date_to: '2026-03-05' };
async function trends(filter: Record<string, unknown>) {
  return getTrends(await fixture.context(), insightFilterSchema.parse({ ...range, ...filter }));
}
const pageviews = (extra: Record<string, unknown> = {}) => ({ events: [{ id: '$pageview', ...extra }] });

describe('trends', () => {
  it('counts events per day, with PostHog labels and days', async () => {
    const [result] = await trends(pageviews());
    expect(result!.data).toEqual([3, 2, 1, 1]);
    expect(result!.count).toBe(7);
    expect(result!.days).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    expect(result!.labels).toEqual(['2-Mar-2026', '3-Mar-2026', '4-Mar-2026', '5-Mar-2026']);
    expect(result!.label).toBe('$pageview');
  });

  it('computes every math', async () => {
    const data = async (math: string, extra: Record<string, unknown> = {}) => (await trends(pageviews({ math, ...extra })))[0]!.data;
    expect(await data('dau')).toEqual([2, 1, 1, 1]);
    expect(await data('weekly_active')).toEqual([2, 3, 3, 4]);
    expect(await data('monthly_active')).toEqual([2, 3, 3, 4]);
    expect(await data('unique_session')).toEqual([2, 1, 1, 0]);
    const purchase = async (math: string) => (await trends({ events: [{ id: 'purchase', math, math_property: 'revenue' }] }))[0]!.data;
    // "10" stored as a string counts as a number; "not a number" is ignored.
    expect(await purchase('sum')).toEqual([0, 30, 10, 0]);
    expect(await purchase('avg')).toEqual([0, 30, 10, 0]);
    expect(await purchase('min')).toEqual([0, 30, 10, 0]);
    expect(await purchase('max')).toEqual([0, 30, 10, 0]);
    expect(await purchase('median')).toEqual([0, 30, 10, 0]);
    const all = await trends({ events: [{ id: 'purchase', math: 'p90', math_property: 'revenue' }], date_from: '2026-03-01', date_to: '2026-03-07', interval: 'week' });
    // One Sunday-started week holds both purchases (30 and 10): p90 interpolates to 28.
    expect(all[0]!.data).toEqual([28]);
  });

  it('breaks down by an event property, most frequent first, with the rest as other', async () => {
    const results = await trends({ ...pageviews(), breakdown: '$browser' });
    expect(results.map((r) => [r.breakdown_value, r.data])).toEqual([
      ['Chrome', [2, 0, 0, 0]], ['Firefox', [1, 0, 1, 0]], ['Safari', [0, 2, 0, 0]], ['$$_posthog_breakdown_null_$$', [0, 0, 0, 1]],
    ]);
    const limited = await trends({ ...pageviews(), breakdown: '$browser', breakdown_limit: 2 });
    expect(limited.map((r) => [r.breakdown_value, r.data])).toEqual([
      ['Chrome', [2, 0, 0, 0]], ['Firefox', [1, 0, 1, 0]], ['$$_posthog_breakdown_other_$$', [0, 2, 0, 1]],
    ]);
  });

  it('breaks down by a person property and filters by one', async () => {
    const byPlan = await trends({ ...pageviews(), breakdown: 'plan', breakdown_type: 'person' });
    expect(byPlan.map((r) => [r.breakdown_value, r.data])).toEqual([['$$_posthog_breakdown_null_$$', [1, 2, 0, 1]], ['pro', [2, 0, 1, 0]]]);
    const filtered = await trends({ ...pageviews(), properties: [{ key: 'email', value: 'example', operator: 'icontains', type: 'person' }] });
    expect(filtered[0]!.data).toEqual([2, 0, 1, 0]);
    // Negative operators and is_not_set also take persons who lack the property (bob, carol, dave).
    const notPro = await trends({ ...pageviews(), properties: [{ key: 'plan', value: 'pro', operator: 'is_not', type: 'person' }] });
    expect(notPro[0]!.data).toEqual([1, 2, 0, 1]);
    const noPlan = await trends({ ...pageviews(), properties: [{ key: 'plan', operator: 'is_not_set', type: 'person' }] });
    expect(noPlan[0]!.data).toEqual([1, 2, 0, 1]);
    const eitherWay = await trends({ ...pageviews(), properties: { type: 'OR', values: [{ key: 'plan', value: 'pro', type: 'person' }, { key: '$browser', value: 'Safari' }] } });
    expect(eitherWay[0]!.data).toEqual([2, 2, 1, 0]);
    // Weekly active persons by plan: alice (pro) on the 2nd and 4th; bob, carol and dave (no plan) join over the days.
    const weekly = await trends({ ...pageviews({ math: 'weekly_active' }), breakdown: 'plan', breakdown_type: 'person' });
    expect(Object.fromEntries(weekly.map((r) => [r.breakdown_value, r.data]))).toEqual({ pro: [1, 1, 1, 1], $$_posthog_breakdown_null_$$: [1, 2, 2, 3] });
  });

  it('applies a formula, compares with the previous period, and accumulates', async () => {
    const formula = await trends({ events: [{ id: '$pageview' }, { id: '$pageview', math: 'dau' }], formula: 'A / B' });
    expect(formula).toHaveLength(1);
    expect(formula[0]!.data).toEqual([1.5, 2, 1, 1]);
    const compared = await trends({ ...pageviews(), compare: true });
    expect(compared.map((r) => [r.compare_label, r.data, r.days[0]])).toEqual([['current', [3, 2, 1, 1], '2026-03-02'], ['previous', [0, 0, 0, 0], '2026-02-26']]);
    const cumulative = await trends({ ...pageviews({ math: 'dau' }), display: 'ActionsLineGraphCumulative' });
    expect(cumulative[0]!.data).toEqual([2, 3, 3, 4]);
    const totalCumulative = await trends({ ...pageviews(), display: 'ActionsLineGraphCumulative' });
    expect(totalCumulative[0]!.data).toEqual([3, 5, 6, 7]);
  });

  it('gives one number per series for pie, table and big-number displays', async () => {
    const [number] = await trends({ ...pageviews({ math: 'dau' }), display: 'BoldNumber' });
    expect(number!.aggregated_value).toBe(4);
    const pie = await trends({ ...pageviews(), display: 'ActionsPie', breakdown: '$browser' });
    expect(pie.map((r) => [r.breakdown_value, r.aggregated_value])).toEqual([['Chrome', 2], ['Firefox', 2], ['Safari', 2], ['$$_posthog_breakdown_null_$$', 1]]);
  });

  it('reads intervals from hours to months', async () => {
    // A date_to with a time is exclusive.
    const hours = await trends({ ...pageviews(), date_from: '2026-03-03T12:00:00Z', date_to: '2026-03-03T14:00:01Z', interval: 'hour' });
    expect(hours[0]!.days).toEqual(['2026-03-03 12:00:00', '2026-03-03 13:00:00', '2026-03-03 14:00:00']);
    expect(hours[0]!.data).toEqual([0, 2, 0]);
    const minutes = await trends({ ...pageviews(), date_from: '2026-03-03T13:00:00Z', date_to: '2026-03-03T13:05:30Z', interval: 'minute' });
    expect(minutes[0]!.data).toEqual([1, 0, 0, 0, 0, 1]);
    const month = await trends({ ...pageviews(), date_from: '2026-02-01', date_to: '2026-03-31', interval: 'month' });
    expect(month[0]!.data).toEqual([0, 7]);
  });

  it('resolves relative dates against now, through the end of the current day', async () => {
    const context = await fixture.context('2026-03-05T21:00:00Z');
    const [result] = await getTrends(context, insightFilterSchema.parse({ ...pageviews(), date_from: '-3d' }));
    expect(result!.days).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    expect(result!.data).toEqual([3, 2, 1, 1]);
  });
});
