import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer({ worker: false }); });
afterAll(() => server.stop());

describe('what the SDKs ask for on start-up', () => {
  it.each(['/decide/?v=3', '/decide?v=4', '/flags/?v=2', '/flags?v=1'])('%s answers a valid configuration with no flags', async (path) => {
    const body = gzipSync(JSON.stringify({ token: server.project.api_token, distinct_id: 'someone' }));
    const response = await fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'text/plain', origin: 'https://site.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://site.example');
    const json = await response.json() as Record<string, unknown>;
    expect(json).toMatchObject({ featureFlags: {}, featureFlagPayloads: {}, flags: {}, errorsWhileComputingFlags: false, sessionRecording: false });
    expect(json.supportedCompression).toContain('gzip-js');
  });

  it('serves posthog-js remote configuration as JSON and as a script, with autocapture explicitly on', async () => {
    const json = await (await fetch(`${server.url}/array/${server.project.api_token}/config`)).json() as Record<string, unknown>;
    expect(json).toMatchObject({ token: server.project.api_token, autocapture_opt_out: false, sessionRecording: false });
    const script = await fetch(`${server.url}/array/${server.project.api_token}/config.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    const window: { _POSTHOG_REMOTE_CONFIG?: Record<string, { config: { token: string } }> } = {};
    new Function('window', await script.text())(window);
    expect(window._POSTHOG_REMOTE_CONFIG?.[server.project.api_token]?.config.token).toBe(server.project.api_token);
  });
});
