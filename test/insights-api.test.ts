import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalApiKey } from '../src/accounts/personal-api-keys.ts';
import { createProject } from '../src/accounts/projects.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
let otherKey: string;
let otherProject: number;

const day = (d: number, time = '12:00:00') => `2026-07-${String(d).padStart(2, '0')}T${time}Z`;
beforeAll(async () => {
  server = await startTestServer();
  const other = await createProject(server.db.pool, 'Other');
  otherProject = other.id;
  otherKey = (await createPersonalApiKey(server.db.pool, other.id)).key;
  const batch = [
    { event: '$identify', distinct_id: 'ann', timestamp: day(1, '09:00:00'), properties: { $set: { email: 'ann@corp.com', plan: 'pro' } } },
    { event: '$pageview', distinct_id: 'ann', timestamp: day(1), properties: { $current_url: 'https://shop.com/pricing' } },
    { event: '$autocapture', distinct_id: 'ann', timestamp: day(1, '12:01:00'), properties: { $event_type: 'click', $elements: [
      { tag_name: 'button', $el_text: 'Buy now', attr__class: 'btn primary', nth_child: 1, nth_of_type: 1 },
      { tag_name: 'div', attr__id: 'checkout', nth_child: 2, nth_of_type: 1 },
    ] } },
    { event: 'purchase', distinct_id: 'ann', timestamp: day(2), properties: { revenue: 20 } },
    { event: '$pageview', distinct_id: 'ben', timestamp: day(2), properties: { $current_url: 'https://shop.com/' } },
    { event: '$autocapture', distinct_id: 'ben', timestamp: day(2, '12:01:00'), properties: { $event_type: 'click', $elements: [
      { tag_name: 'a', $el_text: 'Docs', attr__href: '/docs', nth_child: 1, nth_of_type: 1 },
    ] } },
    { event: '$pageview', distinct_id: 'cid', timestamp: day(3), properties: { $current_url: 'https://shop.com/pricing?x=1' } },
  ];
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
  expect((await sendCapture(server.url, { api_key: other.api_token, batch: [{ event: '$pageview', distinct_id: 'zed', timestamp: day(2) }] })).status).toBe(200);
  await server.drained();
});
afterAll(() => server.stop());

async function call(method: string, path: string, body?: unknown, key = server.apiKey, project = server.project.id) {
  const response = await fetch(`${server.url}/api/projects/${project}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any };
}
const range = { date_from: '2026-07-01', date_to: '2026-07-03' };
const qs = (filter: Record<string, unknown>) => new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();

describe('insights over REST', () => {
  it('answers GET /insights/trend with the filter in the query string, then from the cache', async () => {
    const path = `/insights/trend?${qs({ ...range, events: [{ id: '$pageview' }] })}`;
    const first = await call('GET', path);
    expect(first.status).toBe(200);
    expect(first.body.result[0].data).toEqual([1, 1, 1]);
    expect(first.body.is_cached).toBe(false);
    const second = await call('GET', path);
    expect(second.body.is_cached).toBe(true);
    expect(second.body.last_refresh).toBe(first.body.last_refresh);
    expect((await call('GET', `${path}&refresh=true`)).body.is_cached).toBe(false);
  });

  it('takes the query shape on POST /query', async () => {
    const response = await call('POST', '/query', { query: {
      kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }], dateRange: range, interval: 'day',
      breakdownFilter: { breakdown: 'plan', breakdown_type: 'person' },
    } });
    expect(response.status).toBe(200);
    expect(response.body.results.map((r: any) => [r.breakdown_value, r.data])).toEqual([['$$_posthog_breakdown_null_$$', [0, 1, 1]], ['pro', [1, 0, 0]]]);
    const funnel = await call('POST', '/query', { kind: 'FunnelsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }, { kind: 'EventsNode', event: 'purchase' }], dateRange: range });
    expect(funnel.body.results.map((step: any) => step.count)).toEqual([3, 1]);
  });

  it('names the bad field of an invalid filter', async () => {
    const noProperty = await call('POST', '/insights/trend', { events: [{ id: 'purchase', math: 'sum' }] });
    expect(noProperty.status).toBe(400);
    expect(noProperty.body.attr).toBe('events.0.math_property');
    const badDate = await call('GET', `/insights/trend?${qs({ date_from: 'yesterday-ish', events: [{ id: '$pageview' }] })}`);
    expect([badDate.status, badDate.body.attr]).toEqual([400, 'date_from']);
    const badInterval = await call('GET', `/insights/trend?${qs({ interval: 'fortnight', events: [{ id: '$pageview' }] })}`);
    expect([badInterval.status, badInterval.body.attr]).toEqual([400, 'interval']);
    const badRegex = await call('POST', '/insights/trend', { ...range, events: [{ id: '$pageview' }], properties: [{ key: '$current_url', value: '(', operator: 'regex' }] });
    expect(badRegex.status).toBe(400);
    const badFormula = await call('POST', '/insights/trend', { ...range, events: [{ id: '$pageview' }], formula: 'A + C' });
    expect([badFormula.status, badFormula.body.attr]).toEqual([400, 'formula']);
  });

  it('lists the persons behind a data point', async () => {
    const persons = await call('GET', `/insights/trend/persons?${qs({ ...range, events: [{ id: '$pageview' }], day: '2026-07-02' })}`);
    expect(persons.status).toBe(200);
    expect(persons.body.results.map((p: any) => p.distinct_ids)).toEqual([['ben']]);
    const funnelDrop = await call('GET', `/insights/funnel/persons?${qs({ ...range, events: [{ id: '$pageview', order: 0 }, { id: 'purchase', order: 1 }], funnel_step: '-2' })}`);
    expect(funnelDrop.body.results.map((p: any) => p.distinct_ids[0]).sort()).toEqual(['ben', 'cid']);
  });

  it('saves actions and uses them as series: URL, element text and CSS selector', async () => {
    const created = await call('POST', '/actions', { name: 'Pricing or buy', steps: [
      { event: '$pageview', url: '/pricing', url_matching: 'contains' },
      { event: '$autocapture', selector: 'div#checkout > button.btn' },
    ] });
    expect(created.status).toBe(201);
    const trend = await call('POST', '/insights/trend', { ...range, actions: [{ id: created.body.id, type: 'actions' }] });
    expect(trend.body.result[0].data).toEqual([2, 0, 1]);
    expect(trend.body.result[0].label).toBe('Pricing or buy');
    const regex = await call('POST', '/actions', { name: 'Root or pricing', steps: [{ event: '$pageview', url: '^https://shop\\.com/(pricing)?$', url_matching: 'regex' }] });
    expect((await call('POST', '/insights/trend', { ...range, actions: [{ id: regex.body.id, type: 'actions' }] })).body.result[0].data).toEqual([1, 1, 0]);
    const exact = await call('POST', '/actions', { name: 'Root', steps: [{ url: 'https://shop.com/', url_matching: 'exact' }] });
    expect((await call('POST', '/insights/trend', { ...range, actions: [{ id: exact.body.id, type: 'actions' }] })).body.result[0].data).toEqual([0, 1, 0]);
    const docs = await call('POST', '/actions', { name: 'Docs link', steps: [{ event: '$autocapture', text: 'Docs', href: '/docs', href_matching: 'exact' }] });
    expect((await call('POST', '/insights/trend', { ...range, actions: [{ id: docs.body.id, type: 'actions' }] })).body.result[0].data).toEqual([0, 1, 0]);
    const elementFilter = await call('POST', '/insights/trend', { ...range, events: [{ id: '$autocapture' }], properties: [{ key: 'text', value: 'buy', operator: 'icontains', type: 'element' }] });
    expect(elementFilter.body.result[0].data).toEqual([1, 0, 0]);
    expect((await call('PATCH', `/actions/${docs.body.id}`, { name: 'Docs' })).body.name).toBe('Docs');
    expect((await call('DELETE', `/actions/${docs.body.id}`)).status).toBe(204);
    expect((await call('GET', `/actions/${docs.body.id}`)).status).toBe(404);
    // Another project cannot run this project's action.
    expect((await call('POST', '/insights/trend', { ...range, actions: [{ id: created.body.id, type: 'actions' }] }, otherKey, otherProject)).status).toBe(400);
  });

  it('computes dynamic and static cohorts and filters and breaks down by them', async () => {
    const buyers = await call('POST', '/cohorts', { name: 'Buyers', filters: { properties: { type: 'OR', values: [
      { type: 'behavioral', key: 'purchase', value: 'performed_event', time_value: 3650, time_interval: 'day' },
      { type: 'person', key: 'email', value: 'nobody@', operator: 'icontains' },
    ] } } });
    expect(buyers.status).toBe(201);
    expect(buyers.body.count).toBe(1);
    const listed = await call('POST', '/cohorts', { name: 'Listed', csv: 'distinct_id\nben\ncid\nunknown\n' });
    expect(listed.body.count).toBe(2);
    const persons = await call('GET', `/cohorts/${listed.body.id}/persons`);
    expect(persons.body.results.map((p: any) => p.distinct_ids[0]).sort()).toEqual(['ben', 'cid']);
    const filtered = await call('POST', '/insights/trend', { ...range, events: [{ id: '$pageview' }], properties: [{ key: 'id', value: listed.body.id, type: 'cohort' }] });
    expect(filtered.body.result[0].data).toEqual([0, 1, 1]);
    const byCohort = await call('POST', '/insights/trend', { ...range, events: [{ id: '$pageview' }], breakdown: [buyers.body.id, listed.body.id, 'all'], breakdown_type: 'cohort' });
    expect(byCohort.body.result.map((r: any) => [r.breakdown_value, r.data])).toEqual([[buyers.body.id, [1, 0, 0]], [listed.body.id, [0, 1, 1]], ['all', [1, 1, 1]]]);
    // Another project's cohort id matches nobody there.
    const foreign = await call('POST', '/insights/trend', { ...range, events: [{ id: '$pageview' }], properties: [{ key: 'id', value: listed.body.id, type: 'cohort' }] }, otherKey, otherProject);
    expect(foreign.body.result[0].data).toEqual([0, 0, 0]);
    expect((await call('GET', `/cohorts/${listed.body.id}`, undefined, otherKey, otherProject)).status).toBe(404);
  });

  it('saves insights and shows them as dashboard tiles', async () => {
    const insight = await call('POST', '/insights', { name: 'Pageviews', filters: { ...range, events: [{ id: '$pageview' }] } });
    expect(insight.status).toBe(201);
    const funnel = await call('POST', '/insights', { name: 'Buy funnel', query: { kind: 'FunnelsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }, { kind: 'EventsNode', event: 'purchase' }], dateRange: range } });
    const dashboard = await call('POST', '/dashboards', { name: 'Shop', refresh_seconds: 30 });
    for (const [index, saved] of [insight, funnel].entries()) {
      expect((await call('POST', `/dashboards/${dashboard.body.id}/tiles`, { insight_id: saved.body.id, layout: { x: index * 6, y: 0, w: 6, h: 4 } })).status).toBe(201);
    }
    const shown = await call('GET', `/dashboards/${dashboard.body.id}`);
    expect(shown.body.tiles.map((tile: any) => tile.insight.name)).toEqual(['Pageviews', 'Buy funnel']);
    expect(shown.body.tiles[0].insight.result[0].data).toEqual([1, 1, 1]);
    expect(shown.body.tiles[1].insight.result.map((step: any) => step.count)).toEqual([3, 1]);
    expect((await call('GET', `/insights/${insight.body.id}`)).body.result[0].count).toBe(3);
    // Another project's key sees none of it, and cannot tile this project's insight.
    expect((await call('GET', `/dashboards/${dashboard.body.id}`, undefined, otherKey, otherProject)).status).toBe(404);
    expect((await call('GET', `/insights/${insight.body.id}`, undefined, otherKey, otherProject)).status).toBe(404);
    const theirs = await call('POST', '/dashboards', { name: 'Theirs' }, otherKey, otherProject);
    expect((await call('POST', `/dashboards/${theirs.body.id}/tiles`, { insight_id: insight.body.id }, otherKey, otherProject)).status).toBe(404);
  });

  it('reads days in the project time zone once it is set', async () => {
    const bad = await call('PATCH', '', { timezone: 'Mars/Olympus' });
    expect([bad.status, bad.body.attr]).toEqual([400, 'timezone']);
    expect((await call('PATCH', '', { timezone: 'Pacific/Kiritimati' })).body.timezone).toBe('Pacific/Kiritimati');
    // UTC+14: the 12:00 UTC events fall on the next local day, so the first local day has none of them.
    const shifted = await call('POST', '/insights/trend', { date_from: '2026-07-02', date_to: '2026-07-04', events: [{ id: '$pageview' }], refresh: true });
    expect(shifted.body.result[0].data).toEqual([1, 1, 1]);
    const morning = await call('POST', '/insights/trend', { date_from: '2026-07-01', date_to: '2026-07-01', events: [{ id: '$pageview' }] });
    expect(morning.body.result[0].data).toEqual([0]);
    await call('PATCH', '', { timezone: 'UTC' });
  });
});
