import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertEvents } from '../src/partition/convert-events.ts';
import { weeklyLayout } from '../src/partition/event-layout.ts';
import { eventBranchName, weekTableName } from '../src/partition/partition-names.ts';
import { readPartitionStatus } from '../src/partition/partition-status.ts';
import { resolveRange } from '../src/query/filters/date-range.ts';
import { matchEntity } from '../src/query/filters/entity-condition.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { getTrends } from '../src/query/trends/get-trends.ts';
import { seriesQuery } from '../src/query/trends/series-query.ts';
import { planRelations } from './helpers/plan-relations.ts';
import { storedEvents } from './helpers/stored-events.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

const hostile = "O'Brien\"; DROP TABLE events; --";
const at = '2026-08-03T12:00:00Z';
const events: FixtureEvent[] = [
  { event: 'x', distinct_id: 'e1', timestamp: at, properties: { v: '5', flag: true, name: 'Zoë', tags: ['a', 'b'], n: 5, d: '2026-01-02' } },
  { event: 'x', distinct_id: 'e2', timestamp: at, properties: { v: 5, flag: 'true', name: 'zoe', n: '10', d: '2025-12-31' } },
  { event: 'x', distinct_id: 'e3', timestamp: at, properties: { v: null, n: 2.5 } },
  { event: 'x', distinct_id: 'e4', timestamp: at, properties: {} },
  { event: 'x', distinct_id: 'e5', timestamp: at, properties: { v: 'abc', n: 'abc', name: hostile, d: 'not a date' } },
  { event: hostile, distinct_id: 'e5', timestamp: at, properties: { [hostile]: hostile } },
  // Clicks: a button in div#checkout, a link with a quote in its text, and a click with no elements.
  { event: '$autocapture', distinct_id: 'e1', timestamp: at, properties: { $event_type: 'click', $elements: [
    { tag_name: 'button', $el_text: 'Buy now', attr__class: 'btn primary', nth_child: 1, nth_of_type: 1 },
    { tag_name: 'div', attr__id: 'checkout', nth_child: 2, nth_of_type: 1 },
    { tag_name: 'body', nth_child: 1, nth_of_type: 1 },
  ] } },
  { event: '$autocapture', distinct_id: 'e2', timestamp: at, properties: { $event_type: 'click', $elements: [
    { tag_name: 'a', $el_text: 'Say "hi"', attr__href: '/docs/intro', nth_child: 1, nth_of_type: 1 },
    { tag_name: 'div', attr__id: 'nav', nth_child: 1, nth_of_type: 1 },
  ] } },
  { event: '$autocapture', distinct_id: 'e3', timestamp: at, properties: { $event_type: 'click' } },
];

let fixture: InsightFixture;
beforeAll(async () => { fixture = await startInsightFixture(events); });
afterAll(() => fixture.stop());

async function countWith(properties: unknown[], event: string = 'x'): Promise<number> {
  const [result] = await getTrends(await fixture.context(), insightFilterSchema.parse({ events: [{ id: event }], date_from: '2026-08-03', date_to: '2026-08-03', properties }));
  return result!.count;
}
const where = (key: string, operator: string, value?: unknown) => [{ key, operator, value }];

describe('property filters', () => {
  it('apply every operator the way PostHog does, on missing keys, nulls, numbers as strings, booleans, unicode and lists', async () => {
    const cases: Array<[unknown[], number]> = [
      [where('v', 'exact', 5), 2],
      [where('v', 'exact', [5, 'abc']), 3],
      [where('v', 'is_not', 5), 3],
      [where('v', 'is_set'), 3],
      [where('v', 'is_not_set'), 2],
      [where('n', 'gt', 4), 2],
      [where('n', 'lt', 3), 1],
      [where('n', 'gte', '5'), 2],
      [where('n', 'lte', 5), 2],
      [where('name', 'icontains', 'ZO'), 2],
      [where('name', 'not_icontains', 'zo'), 3],
      [where('name', 'regex', '^z'), 1],
      [where('name', 'not_regex', '^z'), 4],
      [where('name', 'exact', 'Zoë'), 1],
      [where('flag', 'exact', true), 2],
      [where('flag', 'exact', 'true'), 2],
      [where('tags', 'icontains', '"a"'), 1],
      [where('d', 'is_date_after', '2026-01-01'), 1],
      [where('d', 'is_date_before', '2026-01-01'), 1],
      [where('d', 'is_date_exact', '2026-01-02'), 1],
      [[{ type: 'OR', values: [{ key: 'v', value: 'abc' }, { key: 'n', value: 2.5, operator: 'exact' }] }], 2],
      [[{ type: 'AND', values: [{ key: 'v', value: 5 }, { type: 'OR', values: [{ key: 'n', value: 5 }, { key: 'n', value: 10 }] }] }], 2],
    ];
    for (const [properties, expected] of cases) expect([JSON.stringify(properties), await countWith(properties)]).toEqual([JSON.stringify(properties), expected]);
  });

  it('apply element filters: text, href and tag of any element, and CSS selectors', async () => {
    const clicks = (properties: unknown[]) => countWith(properties, '$autocapture');
    const element = (key: string, operator: string, value?: unknown) => [{ key, operator, value, type: 'element' }];
    expect(await clicks(element('text', 'exact', 'Buy now'))).toBe(1);
    expect(await clicks(element('text', 'exact', 'Say "hi"'))).toBe(1);
    expect(await clicks(element('text', 'icontains', 'BUY'))).toBe(1);
    expect(await clicks(element('text', 'is_not', 'Buy now'))).toBe(2);
    expect(await clicks(element('href', 'regex', '^/docs/'))).toBe(1);
    expect(await clicks(element('tag_name', 'exact', 'div'))).toBe(2);
    expect(await clicks(element('tag_name', 'exact', ['a', 'body']))).toBe(2);
    expect(await clicks(element('selector', 'exact', 'div#checkout > button.btn'))).toBe(1);
    expect(await clicks(element('selector', 'exact', 'body button'))).toBe(1);
    expect(await clicks(element('selector', 'exact', '#nav a'))).toBe(1);
    expect(await clicks(element('selector', 'exact', 'div#nav > button'))).toBe(0);
    expect(await clicks(element('selector', 'is_not', 'button.primary'))).toBe(2);
  });

  it('keeps hostile strings as values in every field', async () => {
    expect(await countWith(where('name', 'exact', hostile))).toBe(1);
    expect(await countWith(where(hostile, 'exact', hostile), hostile)).toBe(1);
    expect(await countWith(where(hostile, 'regex', "'; SELECT 1; --"))).toBe(0);
    const context = await fixture.context();
    const broken = await getTrends(context, insightFilterSchema.parse({ events: [{ id: 'x' }], date_from: '2026-08-03', date_to: '2026-08-03', breakdown: hostile }));
    expect(broken.map((result) => result.breakdown_value)).toEqual(['$$_posthog_breakdown_null_$$']);
    const funnyTz = { ...context, project: { ...context.project, timezone: "UTC'; DROP TABLE events; --" } };
    await expect(getTrends(funnyTz, insightFilterSchema.parse({ events: [{ id: 'x' }], date_from: '2026-08-03' }))).rejects.toThrow(/time zone/);
    expect(await storedEvents(fixture.server)).toHaveLength(events.length);
  });

  it('binds values, keys and time zones as parameters: none of them is in the SQL text', async () => {
    const context = await fixture.context();
    const range = await resolveRange(context, { dateFrom: '2026-08-03', dateTo: '2026-08-03', interval: 'day' });
    const entity = await matchEntity(context, { id: 'EVENT-MARKER', type: 'events' });
    const query = seriesQuery(context, {
      entity, math: 'sum', mathProperty: 'MATH-MARKER', breakdown: { type: 'event', key: 'BREAKDOWN-MARKER' },
      properties: { type: 'AND', values: [{ key: 'KEY-MARKER', value: 'VALUE-MARKER', operator: 'icontains', type: 'event' }, { key: 'PERSON-MARKER', value: 1, operator: 'gt', type: 'person' }] },
    }, range);
    for (const marker of ['EVENT-MARKER', 'MATH-MARKER', 'BREAKDOWN-MARKER', 'KEY-MARKER', 'VALUE-MARKER', 'PERSON-MARKER', 'UTC']) {
      expect(query.text).not.toContain(marker);
      expect(JSON.stringify(query.values)).toContain(marker);
    }
  });
});

describe('time zones', () => {
  it('starts days at local midnight and gives DST days 23 hours', async () => {
    const local = await startInsightFixture([
      { event: 'tz', distinct_id: 'a', timestamp: '2026-03-07T05:30:00Z' },
      { event: 'tz', distinct_id: 'a', timestamp: '2026-03-08T04:30:00Z' },
      { event: 'tz', distinct_id: 'a', timestamp: '2026-03-08T05:30:00Z' },
      { event: 'tz', distinct_id: 'a', timestamp: '2026-03-09T03:30:00Z' },
      { event: 'tz', distinct_id: 'a', timestamp: '2026-03-09T04:30:00Z' },
    ], { timezone: 'America/New_York' });
    try {
      const context = await local.context();
      const [days] = await getTrends(context, insightFilterSchema.parse({ events: [{ id: 'tz' }], date_from: '2026-03-07', date_to: '2026-03-09' }));
      expect(days!.data).toEqual([2, 2, 1]);
      const [hours] = await getTrends(context, insightFilterSchema.parse({ events: [{ id: 'tz' }], date_from: '2026-03-08', date_to: '2026-03-08', interval: 'hour' }));
      expect(hours!.days).toHaveLength(23);
      expect(hours!.days).not.toContain('2026-03-08 02:00:00');
      expect(hours!.data.reduce((a, b) => a + b, 0)).toBe(2);
      const utc = { ...context, project: { ...context.project, timezone: 'UTC' } };
      expect((await getTrends(utc, insightFilterSchema.parse({ events: [{ id: 'tz' }], date_from: '2026-03-07', date_to: '2026-03-09' })))[0]!.data).toEqual([1, 2, 2]);
    } finally {
      await local.stop();
    }
  });
});

describe('partition pruning', () => {
  it('reads only the one weekly $pageview partition for a one-week $pageview trend', async () => {
    const pruned = await startInsightFixture([
      { event: '$pageview', distinct_id: 'a', timestamp: '2026-08-04T10:00:00Z' },
      { event: '$pageview', distinct_id: 'a', timestamp: '2026-08-12T10:00:00Z' },
      { event: 'other', distinct_id: 'a', timestamp: '2026-08-04T10:00:00Z' },
    // Postgres' partitions, whatever the run's events store.
    ], { postgresOnly: true });
    try {
      await convertEvents(pruned.server.db.url, { target: weeklyLayout(['$pageview']), now: new Date('2026-08-20T00:00:00Z') });
      const context = await pruned.context();
      const range = await resolveRange(context, { dateFrom: '2026-08-03', dateTo: '2026-08-09', interval: 'day' });
      const entity = await matchEntity(context, { id: '$pageview', type: 'events' });
      // Distinct persons from the events themselves (person_activity would answer otherwise).
      const query = seriesQuery({ ...context, personActivity: false }, { entity, math: 'dau', properties: { type: 'AND', values: [] } }, range);
      const relations = await planRelations(pruned.server.db.pool, query.text, query.values);
      const status = await readPartitionStatus(pruned.server.db.pool, false);
      expect(relations).toEqual([weekTableName(eventBranchName(`events_g${status.generation}`, '$pageview'), new Date('2026-08-03T00:00:00Z'))]);
      expect((await getTrends(context, insightFilterSchema.parse({ events: [{ id: '$pageview' }], date_from: '2026-08-03', date_to: '2026-08-16', interval: 'week', week_start_day: 1 })))[0]!.count).toBe(2);
    } finally {
      await pruned.stop();
    }
  });
});
