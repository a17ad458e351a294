import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './test-server.ts';

const require = createRequire(import.meta.url);
const posthogBundle = fs.readFileSync(require.resolve('posthog-js/dist/array.full.js'));

/** Debian's Chromium, headless, as the browser suites run it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface CustomerSite { url: string; close(): void }

/**
 * A customer's site on its own origin (localhost, while Sounder is on 127.0.0.1): `/posthog.js`
 * is the npm posthog-js bundle, every other path is the page `html` renders for that URL.
 */
export async function serveCustomerSite(html: (url: URL) => string): Promise<CustomerSite> {
  const site = http.createServer((request, response) => {
    if (request.url === '/posthog.js') {
      response.writeHead(200, { 'content-type': 'application/javascript' });
      response.end(posthogBundle);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(html(new URL(request.url ?? '/', 'http://localhost')));
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(site.address() as AddressInfo).port}`, close: () => site.close() };
}

export interface BrowserSuite { server: TestServer; site: CustomerSite; browser: Browser; stop(): Promise<void> }

/** What every browser suite runs against: a Sounder, a customer's site whose page is `html`, and Chromium. */
export async function startBrowserSuite(html: (server: TestServer, url: URL) => string): Promise<BrowserSuite> {
  const server = await startTestServer();
  const site = await serveCustomerSite((url) => html(server, url));
  const browser = await launchChromium();
  return {
    server, site, browser,
    stop: async () => {
      await browser.close();
      site.close();
      await server.stop();
    },
  };
}
