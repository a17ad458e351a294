import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/db/pool.ts';
import { sendCapture } from '../helpers/capture-client.ts';
import { startBrowserSuite, type BrowserSuite, type CustomerSite } from '../helpers/browser-site.ts';
import type { TestServer } from '../helpers/test-server.ts';

const artifacts = path.resolve('test-artifacts/web-app');
// posthog-js drops events from browsers that look automated (HeadlessChrome, navigator.webdriver);
// the shopper's browser is made to look like a person's, so the snippet runs exactly as shown.
const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const lookHuman = () => {
  const { navigator } = globalThis as unknown as { navigator: object };
  Object.defineProperty(navigator, 'webdriver', { get: () => false });
  Object.defineProperty(navigator, 'userAgentData', { get: () => undefined });
};

let suite: BrowserSuite;
let server: TestServer;
let site: CustomerSite;
let browser: Browser;
let context: BrowserContext;
let app: Page;
let snippet = '';
const admin = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' };

/** The customer's page carries the install snippet exactly as the settings page shows it. */
function customerPage(): string {
  return `<!doctype html><html><head><title>Shop</title>${snippet}</head><body><h1>Shop</h1><button id="buy" class="btn primary">Buy now</button></body></html>`;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  suite = await startBrowserSuite(() => customerPage());
  ({ server, site, browser } = suite);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent });
  app = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await suite?.stop();
});

describe('the web app in Chromium', () => {
  it('sends the first visitor to set up, and signs them up as admin', async () => {
    await app.goto(`${server.url}/`);
    await app.waitForURL(/\/setup$/);
    await app.getByLabel('Your name').fill(admin.name);
    await app.getByLabel('Email').fill(admin.email);
    await app.getByLabel('Password').fill(admin.password);
    await app.getByLabel('Organization').fill('Analytical Engines');
    await shoot(app, '01-setup');
    await app.getByRole('button', { name: 'Create account' }).click();
    await app.waitForURL(new RegExp(`/project/${server.project.id}/events$`));
    await app.getByRole('heading', { name: 'No events yet: paste this snippet' }).waitFor();
    await shoot(app, '02-events-empty');
  });

  it('shows the token and a snippet that, pasted into a page, sends pageviews and autocaptured clicks', async () => {
    await app.getByRole('link', { name: 'Settings' }).click();
    const token = (await app.getByTestId('api-token').textContent())!;
    expect(token).toBe(server.project.api_token);
    snippet = (await app.locator('.snippet pre').first().textContent())!;
    expect(snippet).toContain(token);
    expect(snippet).toContain(`${server.url}/static/array.full.js`);
    await shoot(app, '03-settings');

    const shopper = await browser.newContext({ userAgent });
    await shopper.addInitScript(lookHuman);
    const shop = await shopper.newPage();
    await shop.goto(site.url);
    await shop.waitForFunction(() => (globalThis as unknown as { posthog?: { __loaded?: boolean } }).posthog?.__loaded === true);
    await shop.click('#buy');
    await shop.evaluate(() => (globalThis as unknown as { posthog: { identify(id: string, props: object): void } }).posthog.identify('shopper@example.com', { email: 'shopper@example.com', plan: 'pro' }));

    await app.getByRole('link', { name: 'Live events' }).click();
    const rows = app.locator('.events-table tbody tr');
    await rows.filter({ hasText: '$autocapture' }).first().waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: '$pageview' }).first().waitFor();
    await shoot(app, '04-live-events');

    await rows.filter({ hasText: '$autocapture' }).first().getByRole('button').click();
    await expect(app.locator('tr.detail').textContent()).resolves.toContain('Buy now');
    await shoot(app, '05-event-properties');

    // A new event appears without a reload.
    await shop.evaluate(() => (globalThis as unknown as { posthog: { capture(name: string, props: object): void } }).posthog.capture('added to cart', { sku: 'A-1' }));
    await rows.filter({ hasText: 'added to cart' }).first().waitFor({ timeout: 30_000 });

    await app.getByPlaceholder('Event name').fill('added to cart');
    await expect.poll(() => rows.filter({ hasText: '$pageview' }).count()).toBe(0);
    await expect.poll(() => rows.count()).toBe(1);
    await shopper.close();
  });

  it('lists the visitor as a person with their events', async () => {
    await app.getByRole('link', { name: 'Persons' }).click();
    const person = app.locator('table.data tbody tr a', { hasText: 'shopper@example.com' });
    await person.waitFor();
    await person.click();
    await app.getByRole('heading', { name: 'Properties' }).waitFor();
    await app.locator('.timeline li', { hasText: '$autocapture' }).waitFor();
    await shoot(app, '06-person');
  });

  it('creates a personal API key shown once, and lists it by prefix', async () => {
    await app.getByRole('link', { name: 'Settings' }).click();
    await app.getByLabel('Label').fill('nightly export');
    await app.getByRole('button', { name: 'Create key' }).click();
    const key = (await app.getByTestId('new-key').textContent())!;
    expect(key).toMatch(/^phx_/);
    const listed = await fetch(`${server.url}/api/projects/${server.project.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    await app.locator('table.data', { hasText: 'nightly export' }).waitFor();
    await shoot(app, '07-settings-keys');
  });

  it('builds a trend whose number matches the stored events, and lists the persons behind a point', async () => {
    const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.pageviews', "SELECT count(*)::int AS n FROM events WHERE event = '$pageview'");
    expect(rows[0]!.n).toBeGreaterThan(0);
    await app.getByRole('link', { name: 'Insights' }).click();
    await app.getByRole('heading', { name: 'No saved insights yet' }).waitFor();
    await app.getByRole('link', { name: 'New trend' }).click();
    await app.locator('.chart svg').first().waitFor();
    await shoot(app, '10-trend-line');
    await app.getByLabel('Chart', { exact: true }).selectOption('BoldNumber');
    await expect.poll(() => app.locator('.bold-number').textContent()).toContain(String(rows[0]!.n));
    await app.getByLabel('Chart', { exact: true }).selectOption('ActionsBar');
    await app.getByRole('img', { name: /^Bar chart of/ }).waitFor();
    await app.getByLabel('Insight name').fill('Pageviews');
    await app.getByRole('button', { name: 'Save insight' }).click();
    await app.waitForURL(/\/insights\/\d+$/);
    await shoot(app, '11-trend-bar-saved');
  });

  it('builds a funnel with each step\'s persons and drop-off, and saves it', async () => {
    await app.getByRole('link', { name: 'Insights' }).click();
    await app.getByRole('link', { name: 'New funnel' }).click();
    // The pageview came before identify, sent without a person profile: it must count as the shopper's.
    await app.getByLabel('Step 1 event').fill('$pageview');
    await app.getByLabel('Step 2 event').fill('added to cart');
    const steps = app.locator('.funnel-step');
    await expect.poll(() => steps.count()).toBe(2);
    await expect.poll(() => steps.nth(1).textContent()).toContain('added to cart');
    await expect.poll(() => steps.nth(1).textContent()).toContain('1 person');
    await expect(steps.nth(0).textContent()).resolves.toContain('100% of first step');
    await steps.nth(1).getByRole('button', { name: '1 person' }).click();
    await shoot(app, '12-funnel-persons');
    await app.locator('dialog.persons-dialog li', { hasText: 'shopper@example.com' }).waitFor();
    await shoot(app, '12-funnel-persons');
    await app.getByRole('button', { name: 'Close' }).click();
    await app.getByLabel('Insight name').fill('Cart funnel');
    await app.getByRole('button', { name: 'Save insight' }).click();
    await app.waitForURL(/\/insights\/\d+$/);
  });

  it('puts both insights on a dashboard that renders its tiles, and shares it read-only', async () => {
    await app.getByRole('link', { name: 'Dashboards' }).click();
    await app.getByLabel('New dashboard').fill('Weekly review');
    await app.getByRole('button', { name: 'Create dashboard' }).click();
    await app.getByRole('heading', { name: 'This dashboard is empty' }).waitFor();
    for (const name of ['Pageviews', 'Cart funnel']) {
      await app.getByRole('link', { name: 'Insights' }).click();
      await app.getByRole('link', { name }).click();
      await app.getByLabel('Add to dashboard').selectOption({ label: 'Weekly review' });
      await app.getByRole('status').filter({ hasText: 'Added to Weekly review' }).waitFor();
    }
    await app.getByRole('link', { name: 'Dashboards' }).click();
    await app.getByRole('link', { name: 'Weekly review' }).click();
    await app.locator('section.tile').nth(1).waitFor();
    await app.locator('section.tile', { hasText: 'Pageviews' }).locator('.chart svg').waitFor();
    await app.locator('section.tile', { hasText: 'Cart funnel' }).locator('.funnel-step').nth(1).waitFor();
    await app.getByRole('button', { name: 'Share' }).click();
    const shareUrl = (await app.getByTestId('share-url').textContent())!;
    await shoot(app, '13-dashboard');

    const outsider = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shared = await outsider.newPage();
    await shared.goto(shareUrl);
    await shared.locator('section.tile', { hasText: 'Cart funnel' }).locator('.funnel-step').nth(1).waitFor();
    expect(await shared.getByRole('link', { name: 'Pageviews' }).count()).toBe(0);
    await shoot(shared, '14-shared-dashboard');
    await app.getByRole('button', { name: 'Stop sharing' }).click();
    await app.getByRole('button', { name: 'Share' }).waitFor();
    await shared.reload();
    await shared.getByRole('alert').filter({ hasText: 'unknown or was revoked' }).waitFor();
    await outsider.close();
  });

  it('builds retention as a heat map, paths as a Sankey diagram, and stickiness and lifecycle bars', async () => {
    // Three readers on earlier days (noon UTC, so always in the past): r1 and r2 start three days
    // ago and r1 comes back two days ago, when r3 starts. r1 and r3 go from the home page to pricing.
    const noon = (daysAgo: number, minute = 0) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - daysAgo, 12, minute)).toISOString();
    const view = (who: string, url: string, timestamp: string) => ({ event: '$pageview', distinct_id: who, timestamp, properties: { $current_url: url } });
    const home = 'https://shop.example/?ref=ad';
    const sent = await sendCapture(server.url, { api_key: server.project.api_token, batch: [
      view('r1', home, noon(3)), view('r1', 'https://shop.example/pricing', noon(3, 1)), view('r1', home, noon(2)),
      view('r2', home, noon(3)), view('r2', 'https://shop.example/signup', noon(3, 1)),
      view('r3', home, noon(2)), view('r3', 'https://shop.example/pricing?plan=pro', noon(2, 1)),
    ] });
    expect(sent.status).toBe(200);
    await server.drained();

    await app.getByRole('link', { name: 'Insights' }).click();
    await app.getByRole('link', { name: 'New retention' }).click();
    const table = app.locator('table.retention');
    await table.waitFor();
    const threeDaysAgo = table.locator('tbody tr').filter({ has: app.locator('th', { hasText: noon(3).slice(0, 10) }) });
    await expect.poll(() => threeDaysAgo.locator('td').nth(0).textContent()).toBe('2');
    await expect.poll(() => threeDaysAgo.locator('td.heat').nth(1).textContent()).toBe('50%');
    await shoot(app, '15-retention');
    await threeDaysAgo.locator('td.heat').nth(1).getByRole('button').click();
    await app.locator('dialog.persons-dialog li', { hasText: 'r1' }).waitFor();
    expect(await app.locator('dialog.persons-dialog li').count()).toBe(1);
    await app.getByRole('button', { name: 'Close' }).click();
    await app.getByLabel('Insight name').fill('Reader retention');
    await app.getByRole('button', { name: 'Save insight' }).click();
    await app.waitForURL(/\/insights\/\d+$/);

    await app.getByRole('link', { name: 'Insights' }).click();
    await app.locator('table.data tr', { hasText: 'Reader retention' }).filter({ hasText: 'Retention' }).waitFor();
    await app.getByRole('link', { name: 'New paths' }).click();
    await app.getByRole('img', { name: /^Paths diagram/ }).locator('svg').waitFor();
    const topEdge = app.locator('table.paths tbody tr').first();
    await expect.poll(() => topEdge.textContent()).toBe('1https://shop.examplehttps://shop.example/pricing2');
    await app.waitForTimeout(1500); // the diagram animates in
    await shoot(app, '16-paths');

    await app.getByRole('link', { name: 'Insights' }).click();
    await app.getByRole('link', { name: 'New stickiness' }).click();
    await app.getByRole('img', { name: /^Stickiness bars of \$pageview/ }).locator('svg').waitFor();
    await shoot(app, '17-stickiness');

    await app.getByRole('link', { name: 'Insights' }).click();
    await app.getByRole('link', { name: 'New lifecycle' }).click();
    await app.getByRole('img', { name: /^Lifecycle bars/ }).locator('svg').waitFor();
    await expect(app.getByRole('button', { name: '+ Add series' }).count()).resolves.toBe(0);
    await shoot(app, '18-lifecycle');
  });

  it('defines an action by URL and shows what it matched', async () => {
    await app.getByRole('link', { name: 'Actions' }).click();
    await app.getByRole('heading', { name: 'No actions yet' }).waitFor();
    await app.getByRole('link', { name: 'New action' }).click();
    await app.getByLabel('Name').fill('Viewed pricing');
    await app.getByLabel('Page URL').fill('/pricing');
    await app.getByRole('button', { name: 'Create action' }).click();
    await app.waitForURL(/\/actions\/\d+$/);
    await expect.poll(() => app.getByTestId('action-count').textContent()).toBe('Matched 2 events in the last 30 days.');
    await shoot(app, '19-action');
    await app.getByRole('link', { name: 'Actions' }).click();
    await app.locator('table.data tr', { hasText: 'Viewed pricing' }).filter({ hasText: 'URL contains “/pricing”' }).waitFor();
  });

  it('builds a dynamic cohort from a person property and a list cohort from distinct ids', async () => {
    await app.getByRole('link', { name: 'Cohorts' }).click();
    await app.getByRole('heading', { name: 'No cohorts yet' }).waitFor();
    await app.getByRole('link', { name: 'New cohort' }).click();
    await app.getByLabel('Name').fill('Pro plan');
    await app.getByRole('button', { name: '+ Person property' }).click();
    await app.getByLabel('Criterion 1 property').fill('plan');
    await app.getByLabel('Criterion 1 value').fill('pro');
    await app.getByRole('button', { name: 'Create cohort' }).click();
    await app.waitForURL(/\/cohorts\/\d+$/);
    await expect.poll(() => app.getByTestId('cohort-size').textContent()).toBe('1 person');
    await app.locator('ul.members li', { hasText: 'shopper@example.com' }).waitFor();
    await shoot(app, '20-cohort-dynamic');

    await app.getByRole('link', { name: 'Cohorts' }).click();
    await app.getByRole('link', { name: 'New cohort' }).click();
    await app.getByLabel('Name').fill('Early readers');
    await app.getByLabel('List: the distinct ids you upload').check();
    await app.getByLabel(/^Distinct ids/).fill('distinct_id\nr1\nr2\nnobody-yet\n');
    await app.getByRole('button', { name: 'Create cohort' }).click();
    await app.waitForURL(/\/cohorts\/\d+$/);
    await expect.poll(() => app.getByTestId('cohort-size').textContent()).toBe('2 persons');
    await app.getByRole('link', { name: 'Cohorts' }).click();
    await app.locator('table.data tr', { hasText: 'Early readers' }).filter({ hasText: 'List' }).waitFor();
    await shoot(app, '21-cohorts');
  });

  it('charts the action as a trend series, broken down by cohort and filtered by one', async () => {
    await app.getByRole('link', { name: 'Insights' }).click();
    await app.getByRole('link', { name: 'New trend' }).click();
    await app.getByLabel('Series 1 kind').selectOption('actions');
    await app.getByLabel('Series 1 action').selectOption({ label: 'Viewed pricing' });
    await app.getByLabel('Chart', { exact: true }).selectOption('ActionsTable');
    const rows = app.locator('.result table.data tbody tr');
    await expect.poll(() => rows.allTextContents()).toEqual(['Viewed pricing2']);
    await app.getByLabel('Breakdown property of').selectOption('cohort');
    await app.getByLabel('All users').check();
    await app.getByLabel('Early readers').check();
    await expect.poll(() => rows.allTextContents()).toEqual(['Viewed pricing · All users2', 'Viewed pricing · Early readers1']);
    await shoot(app, '23-trend-action-cohorts');

    await app.getByLabel('Breakdown property of').selectOption('event');
    await app.getByLabel('Property of', { exact: true }).selectOption('cohort');
    await app.getByLabel('Cohort', { exact: true }).selectOption({ label: 'Early readers' });
    await app.getByRole('button', { name: 'Add filter' }).click();
    await app.locator('.chip', { hasText: 'in cohort Early readers' }).waitFor();
    await expect.poll(() => rows.allTextContents()).toEqual(['Viewed pricing1']);
  });

  it('releases a feature flag to persons with a property, and switches it off from the list', async () => {
    const flagFor = async (distinctId: string) => {
      const response = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: server.project.api_token, distinct_id: distinctId }) });
      return ((await response.json()) as { flags: Record<string, { enabled: boolean }> }).flags['new-checkout']?.enabled ?? false;
    };
    await app.getByRole('link', { name: 'Feature flags' }).click();
    await app.getByRole('heading', { name: 'No feature flags yet' }).waitFor();
    await app.getByRole('link', { name: 'New flag' }).click();
    await app.getByLabel('Key', { exact: true }).fill('new checkout');
    await app.getByLabel('Property key').fill('plan');
    await app.getByLabel('Value', { exact: true }).fill('pro');
    await app.getByRole('button', { name: 'Add filter' }).click();
    await app.getByRole('button', { name: 'Create flag' }).click();
    await app.getByRole('alert').filter({ hasText: 'key' }).waitFor();
    await app.getByLabel('Key', { exact: true }).fill('new-checkout');
    await app.getByRole('button', { name: 'Create flag' }).click();
    await app.waitForURL(/\/feature_flags\/\d+$/);
    await shoot(app, '24-feature-flag');
    await expect.poll(() => flagFor('shopper@example.com'), { timeout: 10_000 }).toBe(true);
    expect(await flagFor('r1')).toBe(false);

    await app.getByRole('link', { name: 'Feature flags' }).click();
    await app.getByLabel('new-checkout on').uncheck();
    await expect.poll(() => flagFor('shopper@example.com'), { timeout: 10_000 }).toBe(false);
    await shoot(app, '25-feature-flags');
  });

  it('shows the install\'s admin the events table\'s partitions with their sizes', async () => {
    await app.getByRole('link', { name: 'Partitions' }).click();
    await expect.poll(() => app.getByTestId('partition-layout').textContent()).toMatch(/\S/);
    await app.locator('table.partitions tbody tr', { hasText: 'events' }).first().waitFor();
    await shoot(app, '22-partitions');
  });

  it('builds and saves a funnel by keyboard alone', async () => {
    await app.goto(`${server.url}/project/${server.project.id}/events`);
    await app.locator('.events-table tbody tr').first().waitFor();
    await app.keyboard.press('Tab');
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Skip to content');
    await app.keyboard.press('Enter');
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('main');
    const press = async (target: ReturnType<Page['getByRole']>, key: string) => {
      await target.focus();
      await app.keyboard.press(key);
    };
    await press(app.getByRole('link', { name: 'Insights' }), 'Enter');
    await press(app.getByRole('link', { name: 'New funnel' }), 'Enter');
    await app.getByLabel('Step 2 event').focus();
    await app.keyboard.press('ControlOrMeta+A');
    await app.keyboard.type('added to cart');
    const step = app.locator('.funnel-step').nth(1);
    await expect.poll(() => step.textContent()).toContain('1 person');
    await press(step.getByRole('button', { name: '1 person' }), 'Enter');
    await app.locator('dialog.persons-dialog li', { hasText: 'shopper@example.com' }).waitFor();
    await app.keyboard.press('Escape');
    await expect.poll(() => app.locator('dialog.persons-dialog').count()).toBe(0);
    await app.getByLabel('Insight name').focus();
    await app.keyboard.type('Keyboard funnel');
    await press(app.getByRole('button', { name: 'Save insight' }), 'Space');
    await app.waitForURL(/\/insights\/\d+$/);
  });

  it('works at 390 px wide', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, userAgent, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${server.url}/project/${server.project.id}/events`);
    await small.locator('.events-table tbody tr').first().waitFor();
    const overflow = await small.evaluate(() => {
      const { documentElement } = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return documentElement.scrollWidth - documentElement.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(small, '08-events-390px');
    await phone.close();
  });

  it('sends a visitor who is not logged in to log in, then on to the page they asked for', async () => {
    await app.getByRole('button', { name: 'Log out' }).click();
    await app.waitForURL(/\/login/);
    await app.goto(`${server.url}/project/${server.project.id}/persons`);
    await app.waitForURL(/\/login\?next=/);
    await app.getByLabel('Email').fill(admin.email);
    await app.getByLabel('Password').fill('wrong password');
    await app.getByRole('button', { name: 'Log in' }).click();
    await app.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await shoot(app, '09-login-error');
    await app.getByLabel('Password').fill(admin.password);
    await app.getByRole('button', { name: 'Log in' }).click();
    await app.waitForURL(new RegExp(`/project/${server.project.id}/persons$`));
  });
});
