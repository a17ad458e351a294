import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/db/pool.ts';
import { startBrowserSuite, type BrowserSuite, type CustomerSite } from '../helpers/browser-site.ts';
import type { TestServer } from '../helpers/test-server.ts';

let suite: BrowserSuite;
let server: TestServer;
let site: CustomerSite;
let browser: Browser;

/** A customer's page on its own origin, loading posthog-js and pointing it at Sounder. */
function page(apiHost: string, token: string): string {
  return `<!doctype html><html><head><title>Shop</title><script src="/posthog.js"></script></head><body>
    <button id="buy" class="btn primary">Buy now</button>
    <script>
      posthog.init(${JSON.stringify(token)}, { api_host: ${JSON.stringify(apiHost)}, opt_out_useragent_filter: true, request_batching: false });
      window.sendAll = () => {
        posthog.capture('viewed pricing', { plan: 'pro' });
        posthog.identify('browser-user@example.com', { email: 'browser-user@example.com' });
        posthog.capture('purchase', { revenue: 9 });
      };
    </script></body></html>`;
}

beforeAll(async () => {
  suite = await startBrowserSuite((sounder) => page(sounder.url, sounder.project.api_token));
  ({ server, site, browser } = suite);
});
afterAll(() => suite?.stop());

describe('posthog-js in Chromium, from another origin', () => {
  it('loads its configuration, autocaptures, captures and identifies with no console errors', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const problems: string[] = [];
    tab.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text()); });
    tab.on('requestfailed', (request) => problems.push(`${request.url()} ${request.failure()?.errorText}`));
    tab.on('response', (response) => { if (response.url().startsWith(server.url) && response.status() >= 400) problems.push(`${response.status()} ${response.url()}`); });

    await tab.goto(site.url);
    await tab.waitForFunction(() => (globalThis as unknown as { posthog?: { __loaded?: boolean } }).posthog?.__loaded === true);
    await tab.click('#buy');
    await tab.evaluate(() => (globalThis as unknown as { sendAll: () => void }).sendAll());

    const wanted = ['$pageview', '$autocapture', 'viewed pricing', '$identify', 'purchase'];
    const deadline = Date.now() + 30_000;
    let stored: Array<{ event: string; distinct_id: string; elements_chain: string; properties: Record<string, unknown> }> = [];
    while (Date.now() < deadline) {
      await server.drained();
      ({ rows: stored } = await runQuery(server.db.pool, 'test.browser_events', 'SELECT event, distinct_id, elements_chain, properties FROM events ORDER BY timestamp'));
      if (wanted.every((name) => stored.some((row) => row.event === name))) break;
      await tab.waitForTimeout(250);
    }
    expect(stored.map((row) => row.event)).toEqual(expect.arrayContaining(wanted));
    const click = stored.find((row) => row.event === '$autocapture')!;
    expect(click.elements_chain).toMatch(/^button\.btn\.primary:.*text="Buy now"/);
    expect(stored.find((row) => row.event === 'purchase')).toMatchObject({ distinct_id: 'browser-user@example.com', properties: { revenue: 9, $lib: 'web' } });

    const { rows: persons } = await runQuery<{ ids: string[]; properties: Record<string, unknown> }>(server.db.pool, 'test.browser_person',
      `SELECT ARRAY(SELECT distinct_id FROM person_distinct_ids d WHERE d.person_uuid = p.uuid ORDER BY 1) AS ids, p.properties
       FROM persons p JOIN person_distinct_ids pdi ON pdi.person_uuid = p.uuid WHERE pdi.distinct_id = 'browser-user@example.com'`);
    expect(persons).toHaveLength(1);
    expect(persons[0]!.ids).toHaveLength(2);
    expect(persons[0]!.properties.email).toBe('browser-user@example.com');
    expect(problems).toEqual([]);
    await context.close();
  });
});
