import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCapture } from '../helpers/capture-client.ts';
import { startBrowserSuite, type BrowserSuite, type CustomerSite } from '../helpers/browser-site.ts';
import type { TestServer } from '../helpers/test-server.ts';

let suite: BrowserSuite;
let server: TestServer;
let site: CustomerSite;
let browser: Browser;

const keys = ['always', 'rollout-30', 'paid-plans', 'three-variants', 'sticky'];

interface Snapshot { id: string; flags: Record<string, unknown>; payloads: Record<string, unknown> }

/**
 * A page that loads posthog-js and records, each time its flags arrive, what it reads for every
 * key. `?id=` bootstraps an identified user, `?plan=` sets a person property for flags first.
 */
function page(apiHost: string, token: string): string {
  return `<!doctype html><html><head><script src="/posthog.js"></script></head><body><script>
    const params = new URLSearchParams(location.search);
    const keys = ${JSON.stringify(keys)};
    window.loads = [];
    posthog.init(${JSON.stringify(token)}, {
      api_host: ${JSON.stringify(apiHost)}, opt_out_useragent_filter: true, request_batching: false,
      autocapture: false, capture_pageview: false,
      advanced_disable_feature_flags_on_first_load: params.has('plan'),
      bootstrap: params.get('id') ? { distinctID: params.get('id'), isIdentifiedID: true } : undefined,
    });
    posthog.onFeatureFlags(() => window.loads.push({
      id: posthog.get_distinct_id(),
      flags: Object.fromEntries(keys.map((key) => [key, posthog.getFeatureFlag(key, { send_event: false }) ?? null])),
      payloads: Object.fromEntries(keys.map((key) => [key, posthog.getFeatureFlagPayload(key) ?? null]).filter(([, payload]) => payload !== null)),
    }));
    if (params.has('plan')) {
      posthog.setPersonPropertiesForFlags({ plan: params.get('plan') }, false);
      posthog.reloadFeatureFlags();
    }
  </script></body></html>`;
}

async function loadsAfter(tab: Page, count: number): Promise<Snapshot[]> {
  await tab.waitForFunction((n) => (globalThis as unknown as { loads: Snapshot[] }).loads.filter((load) => load.flags.always === true).length >= n, count);
  return tab.evaluate(() => (globalThis as unknown as { loads: Snapshot[] }).loads.filter((load) => load.flags.always === true));
}

async function serverAnswer(distinctId: string, personProperties: object = {}): Promise<Snapshot> {
  const reply = await sendCapture(server.url, { token: server.project.api_token, distinct_id: distinctId, person_properties: personProperties, flag_keys_to_evaluate: keys }, { path: '/flags/?v=2' });
  expect(reply.status).toBe(200);
  const payloads = Object.fromEntries(Object.entries(reply.body.featureFlagPayloads as Record<string, string>).map(([key, text]) => [key, JSON.parse(text)]));
  return { id: distinctId, flags: reply.body.featureFlags, payloads };
}

beforeAll(async () => {
  suite = await startBrowserSuite((sounder) => page(sounder.url, sounder.project.api_token));
  ({ server, site, browser } = suite);
  const variants = [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }];
  const flags = [
    { key: 'always' },
    { key: 'rollout-30', filters: { groups: [{ rollout_percentage: 30 }] } },
    { key: 'paid-plans', filters: { groups: [{ properties: [{ key: 'plan', value: ['pro', 'enterprise'] }] }] } },
    { key: 'three-variants', filters: { groups: [{ rollout_percentage: 100 }], multivariate: { variants: [...variants, { key: 'third', rollout_percentage: 0 }] }, payloads: { control: '{"color": "red"}', test: '[1, 2]' } } },
    { key: 'sticky', ensure_experience_continuity: true, filters: { groups: [{ rollout_percentage: 50 }], multivariate: { variants } } },
  ];
  for (const flag of flags) {
    const reply = await fetch(`${server.url}/api/projects/${server.project.id}/feature_flags`, {
      method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(flag),
    });
    expect(reply.status).toBe(201);
  }
});
afterAll(() => suite?.stop());

describe('posthog-js flags in Chromium', () => {
  it('are what the server answers, for every user', async () => {
    for (let i = 0; i < 24; i++) {
      // A context each: posthog-js keeps the first distinct id it stored over a later bootstrap.
      const context = await browser.newContext();
      const tab = await context.newPage();
      const plan = ['free', 'pro', 'enterprise'][i % 3]!;
      await tab.goto(`${site.url}/?id=browser-${i}&plan=${plan}`);
      const [seen] = await loadsAfter(tab, 1);
      expect(seen).toEqual(await serverAnswer(`browser-${i}`, { plan }));
      await context.close();
    }
  });

  it('keep an anonymous visitor\'s answers through identify', async () => {
    let changedForSomeone = false;
    for (let i = 0; i < 12; i++) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(site.url);
      const [anonymous] = await loadsAfter(tab, 1);
      expect(anonymous!.id).not.toBe(`visitor-${i}`);
      await tab.evaluate((id) => (globalThis as unknown as { posthog: { identify(id: string): void } }).posthog.identify(id), `visitor-${i}`);
      const identified = (await loadsAfter(tab, 2)).at(-1)!;
      expect(identified.id).toBe(`visitor-${i}`);
      expect(identified.flags.sticky).toBe(anonymous!.flags.sticky);
      // The flag without continuity follows the new id: the server's own answer for it.
      expect(identified.flags['three-variants']).toBe((await serverAnswer(`visitor-${i}`)).flags['three-variants']);
      if (identified.flags['three-variants'] !== anonymous!.flags['three-variants']) changedForSomeone = true;
      await context.close();
    }
    expect(changedForSomeone).toBe(true);
  });
});
