import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createPersonalApiKey } from '../../src/accounts/personal-api-keys.ts';
import { createProject } from '../../src/accounts/projects.ts';
import { buildApp } from '../../src/api/app.ts';
import { createPool } from '../../src/db/pool.ts';
import { percentile } from '../ingest/send-requests.ts';
import { describeMachine, type MachineInfo } from '../machine.ts';
import { loadWorkloadEvents } from '../partition/load-events.ts';
import { derivePersons } from '../queries/derive-persons.ts';
import { querySuite } from '../queries/query-suite.ts';
import { createBenchDatabase } from '../sounder-processes.ts';

export interface DashboardBenchOptions { databaseUrl: string; events: number; runs: number; log: (line: string) => void }

export interface DashboardBenchResult {
  machine: MachineInfo;
  events: number;
  tiles: string[];
  runs: number;
  /** The dashboard API computing every tile (empty cache). */
  coldApiMs: number;
  /** The dashboard API answering from the warm cache. */
  warmApi: { p50Ms: number; p95Ms: number };
  /** A fresh tab opening the dashboard until every tile has drawn its result. */
  interactive: { p50Ms: number; p95Ms: number };
  firstPageJsGzipBytes: number;
}

// One tile per kind of the suite: the largest dashboard the web app issue names (6 tiles).
const tileQueries = ['trends: DAU per day, 30 days', 'trends: broken down by $browser', 'funnel: 3 steps, 14-day window', 'retention: weekly, 8 weeks', 'paths: from /', 'lifecycle: per week'];

function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('this benchmark drives Debian\'s Chromium: apt-get install chromium');
  }
}

/**
 * The web app's target: a dashboard of 6 tiles over the standard workload, interactive within
 * 2 s once its results are cached. Loads the events, saves the tiles through the REST API,
 * warms the cache with one dashboard request, then opens the dashboard in Chromium `runs` times.
 */
export async function runDashboardBench(options: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const { chromium } = await import('playwright-core').catch(() => {
    throw new Error('this benchmark needs playwright-core, a development dependency: run it from a full `npm install`');
  });
  const database = await createBenchDatabase(options.databaseUrl, 'dashboard');
  const pool = createPool(database.url, 8, 'sounder-bench');
  const app = await buildApp({ db: pool, logLevel: 'warn', insightCacheSeconds: 3600 });
  try {
    const machine = await describeMachine(pool);
    const project = await createProject(pool, 'dashboard bench');
    options.log(`loading ${options.events} standard-workload events`);
    await loadWorkloadEvents(pool, project.id, { events: options.events, seed: 1, spanDays: 56 }, options.log);
    await derivePersons(pool, project.id);
    const { rows: [last] } = await pool.query<{ day: string }>("SELECT to_char(max(timestamp) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM events");
    const suite = querySuite(last!.day).filter((query) => tileQueries.includes(query.name));

    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const key = (await createPersonalApiKey(pool, project.id)).key;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${base}/api/projects/${project.id}${path}`, {
        method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
      return response.json() as Promise<T>;
    };
    const dashboard = await call<{ id: number }>('POST', '/dashboards', { name: 'Bench: six tiles' });
    for (const query of suite) {
      const insight = await call<{ id: number }>('POST', '/insights', { name: query.name, filters: query.filter });
      await call('POST', `/dashboards/${dashboard.id}/tiles`, { insight_id: insight.id });
    }

    options.log('warming the cache: the dashboard computes every tile once');
    let started = performance.now();
    await call('GET', `/dashboards/${dashboard.id}`);
    const coldApiMs = performance.now() - started;
    const apiTimes: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      started = performance.now();
      await call('GET', `/dashboards/${dashboard.id}`);
      apiTimes.push(performance.now() - started);
    }

    const signup = await fetch(`${base}/api/auth/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench password 1', name: 'Bench', organization_name: 'Bench' }),
    });
    if (signup.status !== 201) throw new Error(`sign-up: HTTP ${signup.status} ${await signup.text()}`);
    const cookie = signup.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => pair.startsWith('sounder_session='))!;

    const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    const pageTimes: number[] = [];
    let firstPageJsGzipBytes = 0;
    try {
      for (let run = 0; run < options.runs + 1; run++) {
        // A new context each time: nothing cached in the browser, as for a first visit.
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await context.addCookies([{ name: 'sounder_session', value: cookie.slice('sounder_session='.length), url: base }]);
        const page = await context.newPage();
        let jsBytes: Promise<number> = Promise.resolve(0);
        page.on('response', (response) => {
          // Bytes on the wire, as the browser received them (compressed).
          if (/\/assets\/index-[^/]+\.js$/.test(response.url())) jsBytes = response.request().sizes().then((sizes) => sizes.responseBodySize);
        });
        started = performance.now();
        await page.goto(`${base}/project/${project.id}/dashboards/${dashboard.id}`);
        const tiles = page.locator('section.tile');
        await tiles.nth(suite.length - 1).waitFor();
        for (let index = 0; index < suite.length; index++) {
          await tiles.nth(index).locator('.chart svg, .funnel-step, table.retention').first().waitFor();
        }
        const elapsed = performance.now() - started;
        if (run > 0) pageTimes.push(elapsed); // the first run warms Chromium itself
        firstPageJsGzipBytes = await jsBytes;
        options.log(`run ${run}: interactive in ${elapsed.toFixed(0)} ms`);
        await context.close();
      }
    } finally {
      await browser.close();
    }
    apiTimes.sort((a, b) => a - b);
    pageTimes.sort((a, b) => a - b);
    return {
      machine, events: options.events, tiles: suite.map((query) => query.name), runs: options.runs, coldApiMs,
      warmApi: { p50Ms: percentile(apiTimes, 50), p95Ms: percentile(apiTimes, 95) },
      interactive: { p50Ms: percentile(pageTimes, 50), p95Ms: percentile(pageTimes, 95) },
      firstPageJsGzipBytes,
    };
  } finally {
    await app.close();
    await pool.end();
    await database.drop().catch(() => undefined);
  }
}

export function formatDashboardReport(result: DashboardBenchResult): string {
  const met = result.interactive.p95Ms <= 2000 ? 'met' : 'missed';
  return [
    `machine: ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.cpu}; PostgreSQL ${result.machine.postgres}; Node ${result.machine.node}`,
    `dataset: ${result.events.toLocaleString('en-US')} standard-workload events; dashboard of ${result.tiles.length} tiles: ${result.tiles.join('; ')}`,
    `dashboard API, computing every tile (cold cache): ${result.coldApiMs.toFixed(0)} ms`,
    `dashboard API from the warm cache: p50 ${result.warmApi.p50Ms.toFixed(0)} ms, p95 ${result.warmApi.p95Ms.toFixed(0)} ms (${result.runs} runs)`,
    `Chromium, new tab to every tile drawn: p50 ${result.interactive.p50Ms.toFixed(0)} ms, p95 ${result.interactive.p95Ms.toFixed(0)} ms (${result.runs} runs after one warm-up; target 2000 ms: ${met})`,
    `first page JavaScript as sent (compressed): ${(result.firstPageJsGzipBytes / 1024).toFixed(1)} kB (target 500 kB)`,
  ].join('\n');
}
