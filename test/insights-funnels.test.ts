import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { getFunnel, getFunnelPersonIds, type FunnelStepResult, type TimeToConvertResult } from '../src/query/funnels/get-funnel.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

const at = (day: number, time: string) => `2026-04-${String(day).padStart(2, '0')}T${time}Z`;
const ev = (distinct_id: string, event: string, timestamp: string, properties: Record<string, unknown> = {}): FixtureEvent => ({ distinct_id, event, timestamp, properties });

// Funnel $pageview -> signed up -> purchase, counted by hand per person below.
const events: FixtureEvent[] = [
  ev('u1', '$pageview', at(1, '10:00:00'), { $browser: 'Chrome' }), ev('u1', 'signed up', at(1, '10:05:00')), ev('u1', 'purchase', at(2, '10:05:00')),
  ev('u2', '$pageview', at(1, '10:00:00'), { $browser: 'Chrome' }), ev('u2', 'signed up', at(1, '11:00:00')),
  ev('u3', '$pageview', at(1, '10:00:00'), { $browser: 'Firefox' }),
  // Signs up before the first step: ordered funnels see only the later pageview.
  ev('u4', 'signed up', at(1, '09:00:00')), ev('u4', '$pageview', at(2, '09:00:00'), { $browser: 'Safari' }),
  // Signs up 19 days later: outside the 14-day window.
  ev('u5', '$pageview', at(1, '10:00:00'), { $browser: 'Firefox' }), ev('u5', 'signed up', at(20, '10:00:00')),
  // Another event between the steps: fine unless the funnel is strict.
  ev('u6', '$pageview', at(1, '12:00:00')), ev('u6', 'read docs', at(1, '12:01:00')), ev('u6', 'signed up', at(1, '12:10:00')),
  ev('u7', 'purchase', at(3, '10:00:00')),
  // Runs of first-step events (a funnel of their own): the chain starts at the latest one that still converts.
  ev('u8', 'opened', at(1, '10:00:00'), { via: 'a' }), ev('u8', 'opened', at(16, '10:00:00'), { via: 'b' }), ev('u8', 'opened', at(16, '10:30:00'), { via: 'c' }),
  ev('u8', 'shared', at(17, '10:30:00')), ev('u8', 'opened', at(18, '10:00:00'), { via: 'd' }),
  ev('u9', 'opened', at(2, '10:00:00'), { via: 'a' }), ev('u9', 'opened', at(3, '10:00:00'), { via: 'e' }),
];

let fixture: InsightFixture;
beforeAll(async () => { fixture = await startInsightFixture(events); });
afterAll(() => fixture.stop());

const base = { insight: 'FUNNELS', date_from: '2026-04-01', date_to: '2026-04-25', events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }, { id: 'purchase', order: 2 }] };
const parse = (extra: Record<string, unknown>) => insightFilterSchema.parse({ ...base, ...extra });
async function funnel(extra: Record<string, unknown> = {}) {
  return getFunnel(await fixture.context(), parse(extra));
}
const counts = (steps: FunnelStepResult[]) => steps.map((step) => step.count);

async function distinctIds(personIds: string[]): Promise<string[]> {
  const { rows } = await runQuery<{ distinct_id: string }>(fixture.server.db.pool, 'test.ids',
    'SELECT distinct_id FROM person_distinct_ids WHERE person_uuid = ANY($1::uuid[]) ORDER BY 1', [personIds]);
  return rows.map((row) => row.distinct_id);
}

describe('funnels', () => {
  it('counts ordered steps within the window, with conversion rates and times', async () => {
    const steps = await funnel() as FunnelStepResult[];
    expect(counts(steps)).toEqual([6, 3, 1]);
    expect(steps.map((step) => step.name)).toEqual(['$pageview', 'signed up', 'purchase']);
    expect(steps[1]!.conversion_rate).toBe(0.5);
    expect(steps[2]!.step_conversion_rate).toBeCloseTo(1 / 3);
    expect(steps[1]!.dropped_off).toBe(3);
    expect(steps[1]!.average_conversion_time).toBe(1500);
    expect(steps[1]!.median_conversion_time).toBe(600);
    expect(steps[2]!.average_conversion_time).toBe(86_400);
    expect(steps[0]!.average_conversion_time).toBeNull();
  });

  it('counts those who did only the first step without listing them, by the same filters', async () => {
    // u4's and u5's pageviews are outside the range: u5 still signs up in it, u4 does not.
    const later = await funnel({ date_from: '2026-04-02', date_to: '2026-04-25' }) as FunnelStepResult[];
    expect(counts(later)).toEqual([1, 0, 0]);
    // A first step with a filter of its own is counted from the events, not person activity.
    const firefox = { events: [{ id: '$pageview', order: 0, properties: [{ key: '$browser', value: 'Firefox' }] }, ...base.events.slice(1)] };
    const steps = await funnel(firefox) as FunnelStepResult[];
    expect(counts(steps)).toEqual([2, 0, 0]);
    expect(steps[1]!.dropped_off).toBe(2);
    expect(counts(await funnel({ funnel_order_type: 'strict', ...firefox }) as FunnelStepResult[])).toEqual([2, 0, 0]);
    // A second step no one did leaves only entrants.
    expect(counts(await funnel({ events: [base.events[0], { id: 'never happened', order: 1 }] }) as FunnelStepResult[])).toEqual([6, 0]);
  });

  it('strict funnels break on any event between steps; unordered ones take the steps in any order', async () => {
    expect(counts(await funnel({ funnel_order_type: 'strict' }) as FunnelStepResult[])).toEqual([6, 2, 1]);
    expect(counts(await funnel({ funnel_order_type: 'unordered' }) as FunnelStepResult[])).toEqual([7, 4, 1]);
  });

  it('honours a conversion window in other units', async () => {
    expect(counts(await funnel({ funnel_window_interval: 30, funnel_window_interval_unit: 'minute' }) as FunnelStepResult[])).toEqual([6, 2, 0]);
  });

  it('breaks down by the first step event property', async () => {
    const results = await funnel({ breakdown: '$browser' }) as FunnelStepResult[][];
    expect(results.map((steps) => [steps[0]!.breakdown_value, counts(steps)])).toEqual([
      ['Chrome', [2, 2, 1]], ['Firefox', [2, 0, 0]], ['$$_posthog_breakdown_null_$$', [1, 1, 0]], ['Safari', [1, 0, 0]],
    ]);
  });

  it('lists the persons who converted and who dropped off at a step', async () => {
    const context = await fixture.context();
    expect(await distinctIds(await getFunnelPersonIds(context, parse({}), 2))).toEqual(['u1', 'u2', 'u6']);
    expect(await distinctIds(await getFunnelPersonIds(context, parse({}), -2))).toEqual(['u3', 'u4', 'u5']);
    expect(await distinctIds(await getFunnelPersonIds(context, parse({ breakdown: '$browser' }), 1, 'Firefox'))).toEqual(['u3', 'u5']);
  });

  it('gives conversion over time by the day each person entered', async () => {
    const [result] = await funnel({ funnel_viz_type: 'trends', date_from: '2026-04-01', date_to: '2026-04-03', events: base.events.slice(0, 2) }) as Array<{ data: number[]; entered: number[]; converted: number[] }>;
    // Entered on Apr 1: u1, u2, u3, u5, u6 (u1, u2, u6 signed up); Apr 2: u4 (did not). u5's late sign-up is outside the range.
    expect(result!.entered).toEqual([5, 1, 0]);
    expect(result!.converted).toEqual([3, 0, 0]);
    expect(result!.data).toEqual([60, 0, 0]);
  });

  it('starts a chain at the last of a run of first-step events', async () => {
    const opened = { events: [{ id: 'opened', order: 0 }, { id: 'shared', order: 1 }] };
    const steps = await funnel(opened) as FunnelStepResult[];
    expect(counts(steps)).toEqual([2, 1]);
    // From Apr 16 10:30, not 10:00 (a run's earlier events leave less window) nor Apr 1 (outside it).
    expect(steps[1]!.average_conversion_time).toBe(86_400);
    const results = await funnel({ ...opened, breakdown: 'via' }) as FunnelStepResult[][];
    expect(results.map((byValue) => [byValue[0]!.breakdown_value, counts(byValue)])).toEqual([['c', [1, 1]], ['e', [1, 0]]]);
  });

  it('gives a time-to-convert histogram', async () => {
    const result = await funnel({ funnel_viz_type: 'time_to_convert', bin_count: 4, events: base.events.slice(0, 2) }) as TimeToConvertResult;
    // u1 in 300 s, u6 in 600 s, u2 in 3600 s.
    expect(result.average_conversion_time).toBe(1500);
    expect(result.bins.map(([, count]) => count)).toEqual([2, 0, 0, 1]);
    expect(result.bins[0]![0]).toBe(300);
  });
});
