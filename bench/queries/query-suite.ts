import type { InsightFilter } from '../../src/query/insight-filter.ts';
import { insightFilterSchema } from '../../src/query/insight-filter.ts';

export interface SuiteQuery { name: string; trends: boolean; filter: InsightFilter }

/** WORKLOAD.md's insight suite, over the 30 days (or 8 weeks) that end with the dataset's last day. */
export function querySuite(lastDay: string): SuiteQuery[] {
  const days30 = { date_from: new Date(Date.parse(lastDay) - 29 * 86_400_000).toISOString().slice(0, 10), date_to: lastDay };
  const weeks8 = { date_from: new Date(Date.parse(lastDay) - 55 * 86_400_000).toISOString().slice(0, 10), date_to: lastDay };
  const query = (name: string, trends: boolean, filter: Record<string, unknown>): SuiteQuery => ({ name, trends, filter: insightFilterSchema.parse(filter) });
  return [
    query('trends: total per day, 30 days', true, { ...days30, events: [{ id: '$pageview' }] }),
    query('trends: DAU per day, 30 days', true, { ...days30, events: [{ id: '$pageview', math: 'dau' }] }),
    query('trends: broken down by $browser', true, { ...days30, events: [{ id: '$pageview' }], breakdown: '$browser' }),
    query('trends: person property filter', true, { ...days30, events: [{ id: '$pageview' }], properties: [{ key: 'plan', value: 'pro', type: 'person' }] }),
    query('funnel: 3 steps, 14-day window', false, { ...days30, insight: 'FUNNELS', funnel_window_days: 14, events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }, { id: 'purchase', order: 2 }] }),
    query('retention: weekly, 8 weeks', false, { insight: 'RETENTION', period: 'Week', total_intervals: 8, date_to: lastDay, target_entity: { id: '$pageview', type: 'events' } }),
    query('paths: from /', false, { ...days30, insight: 'PATHS', start_point: 'https://app.example.com/', include_event_types: ['$pageview'] }),
    query('lifecycle: per week', false, { ...weeks8, insight: 'LIFECYCLE', interval: 'week', events: [{ id: '$pageview' }] }),
  ];
}
