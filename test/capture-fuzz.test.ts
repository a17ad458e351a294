import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../src/capture/capture-error.ts';
import { decodeCaptureBody, type RawCaptureRequest } from '../src/capture/decode-body.ts';
import { extractEvents } from '../src/capture/extract-events.ts';
import { normaliseEvent } from '../src/capture/normalise-event.ts';
import { runQuery } from '../src/db/pool.ts';
import { decodeBufferLines, encodeBufferLine } from '../src/ingestion/buffer-format.ts';
import { unescapeCopyField } from '../src/ingestion/copy-text.ts';
import { pickCountedProperties } from '../src/rollups/property-counts.ts';
import { anyFlagsPayload, anyRawRequest } from './helpers/capture-arbitraries.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

// Seconds each fuzz run may take; raise it for a long run: SOUNDER_FUZZ_SECONDS=600 npx vitest run test/capture-fuzz.test.ts
const fuzzSeconds = Number(process.env.SOUNDER_FUZZ_SECONDS ?? 8);
const token = 'phc_fuzz_token';
const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// As many inputs as fit in the time; a failure is shrunk to a small input before it is reported.
const fuzzRun = () => ({ numRuns: 1_000_000_000, interruptAfterTimeLimit: fuzzSeconds * 1000, markInterruptAsFailure: false });
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

function isCleanText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/** What the web tier writes to the buffer for one event, checked against what the events table and COPY accept. */
function expectStorable(line: string): void {
  expect(line).not.toMatch(/[\n\r]/);
  const fields = line.split('\t');
  expect(fields).toHaveLength(8);
  const [stored] = decodeBufferLines(line, 1);
  expect(stored!.uuid).toMatch(canonicalUuid);
  expect(stored!.event.length).toBeGreaterThan(0);
  expect(stored!.event.length).toBeLessThanOrEqual(200);
  expect(isCleanText(stored!.event)).toBe(true);
  expect(stored!.distinctId.trim().length).toBeGreaterThan(0);
  expect(stored!.distinctId.length).toBeLessThanOrEqual(200);
  expect(isCleanText(stored!.distinctId)).toBe(true);
  const propertiesText = unescapeCopyField(fields[3]!);
  // jsonb refuses \u0000 and unpaired surrogate escapes.
  expect(propertiesText).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}(?!\\ud[c-f])/i);
  const properties = JSON.parse(propertiesText) as unknown;
  expect(typeof properties === 'object' && properties !== null && !Array.isArray(properties)).toBe(true);
  // What the worker counts by property is what the events table will hold.
  expect(stored!.countedProperties).toEqual(pickCountedProperties(properties as Record<string, unknown>));
  expect(isCleanText(unescapeCopyField(fields[4]!))).toBe(true);
  const time = stored!.timestamp.getTime();
  expect(time).toBeGreaterThanOrEqual(Date.UTC(1970, 0, 1));
  expect(time).toBeLessThanOrEqual(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
}

/** The web tier's whole path from bytes to buffer line; only CaptureErrors below 500 may come out. */
function capturePipeline(raw: RawCaptureRequest, forcedName?: string): number {
  let stored = 0;
  try {
    const decoded = decodeCaptureBody(raw, 20 * 1024 * 1024);
    const extracted = extractEvents(decoded.payload, decoded.formApiKey, forcedName);
    const facts = { receivedAt: new Date(), sentAt: undefined, ip: '203.0.113.9' };
    for (const event of extracted.accepted) {
      expectStorable(encodeBufferLine(normaliseEvent(event, facts)));
      stored++;
    }
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    expect(error.statusCode).toBeGreaterThanOrEqual(400);
    expect(error.statusCode).toBeLessThan(500);
    expect(error.message.length).toBeGreaterThan(5);
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(prototypeNames);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  return stored;
}

type RawRequest = RawCaptureRequest & { wrapping: string };

/** fast-check's report, without the whole counterexample (bodies run to megabytes): enough to replay it. */
function expectNoCounterexample<Rest extends unknown[]>(details: fc.RunDetails<[RawRequest, ...Rest]>): void {
  if (!details.failed) return;
  const [raw, ...rest] = details.counterexample ?? [];
  const body = raw?.body ?? Buffer.alloc(0);
  const sample = raw ? `${raw.wrapping}, ${body.length} bytes, query ${JSON.stringify(raw.query)}, starting ${JSON.stringify(body.subarray(0, 160).toString('latin1'))}` : 'none';
  throw new Error(`fuzz found a failing input (seed ${details.seed}, path ${details.counterexamplePath}): ${sample}; other arguments ${JSON.stringify(rest)}\n${String(details.errorInstance)}`);
}

describe('capture fuzzing', () => {
  it(`turns any bytes into storable events or a 4xx, never a crash (${fuzzSeconds} s)`, async () => {
    const tally = { inputs: 0, events: 0, byWrapping: new Map<string, number>() };
    expectNoCounterexample(await fc.check(fc.asyncProperty(anyRawRequest(token), fc.constantFrom(undefined, '$identify'), async (raw, forcedName) => {
      // Let vitest's own messages through during a long run.
      if (++tally.inputs % 50 === 0) await new Promise(setImmediate);
      tally.byWrapping.set(raw.wrapping, (tally.byWrapping.get(raw.wrapping) ?? 0) + 1);
      tally.events += capturePipeline(raw, forcedName);
    }), fuzzRun()));
    console.log(`capture fuzz: ${tally.inputs} inputs in ${fuzzSeconds} s, ${tally.events} events reached the buffer format; `
      + [...tally.byWrapping].map(([name, count]) => `${name} ${count}`).join(', '));
    // Enough to show the run did real work, low enough for a busy CI machine (8 s gives 500–1,800 inputs here).
    expect(tally.inputs).toBeGreaterThan(100);
    expect(tally.events).toBeGreaterThan(10);
  }, 60_000 + fuzzSeconds * 2000);
});

/** POSTs fuzzed requests at `paths` until the time is up; every answer must be one of `allowed`. Returns the count per status. */
async function fuzzOverHttp(url: string, requests: fc.Arbitrary<RawRequest>, paths: string[], allowed: number[]): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  expectNoCounterexample(await fc.check(fc.asyncProperty(requests, fc.constantFrom(...paths), async (raw, path) => {
    const query = new URLSearchParams(Object.entries(raw.query).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${url}${path}${query ? `${separator}${query}` : ''}`, {
      method: 'POST', body: raw.body, headers: { 'content-type': 'text/plain', ...(raw.contentEncoding ? { 'content-encoding': raw.contentEncoding } : {}) },
    });
    await response.arrayBuffer();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    expect(allowed).toContain(response.status);
  }), fuzzRun()));
  return statuses;
}

const describeStatuses = (statuses: Map<number, number>) => [...statuses].map(([status, count]) => `${status}×${count}`).join(', ');

describe('capture fuzzing over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(() => server.stop());

  // 431: Node itself refuses a query string past its header size limit.
  it(`answers every request with 200, 400, 401, 413 or 431, stores only valid events, and keeps working (${fuzzSeconds} s)`, async () => {
    const statuses = await fuzzOverHttp(server.url, anyRawRequest(server.project.api_token), ['/batch/', '/e/', '/i/v0/e/', '/engage/'], [200, 400, 401, 413, 431]);
    const inputs = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    console.log(`capture fuzz over HTTP: ${inputs} requests in ${fuzzSeconds} s; statuses ${describeStatuses(statuses)}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);

    // Every accepted event reaches the events table: no batch is poisoned by what it carries.
    await server.drained(60_000);
    const { rows: [check] } = await runQuery<{ stored: number; bad: number; dead: number }>(server.db.pool, 'test.fuzz_check',
      `SELECT (SELECT count(*)::int FROM events) AS stored,
              (SELECT count(*)::int FROM events WHERE event = '' OR btrim(distinct_id) = '' OR length(event) > 200
                 OR length(distinct_id) > 200 OR jsonb_typeof(properties) <> 'object') AS bad,
              (SELECT count(*)::int FROM ingestion_dead_letters) AS dead`);
    expect(check).toMatchObject({ bad: 0, dead: 0 });
    expect(check!.stored).toBeGreaterThan(0);
    const ok = await fetch(`${server.url}/batch/`, { method: 'POST', body: JSON.stringify({ api_key: server.project.api_token, batch: [{ event: 'after fuzz', distinct_id: 'x' }] }) });
    expect(ok.status).toBe(200);
  }, 120_000 + fuzzSeconds * 2000);

  it(`answers /flags and /decide with 200, 400, 401, 413 or 431 whatever they get (${fuzzSeconds} s)`, async () => {
    const api = (body: object) => fetch(`${server.url}/api/projects/${server.project.id}/feature_flags`, {
      method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    for (const flag of [
      { key: 'fuzz-regex', filters: { groups: [{ properties: [{ key: 'email', value: '^a.*@', operator: 'regex' }], rollout_percentage: 50 }] } },
      { key: 'fuzz-dates', filters: { groups: [{ properties: [{ key: '$prop', value: '-7d', operator: 'is_date_after' }, { key: 'n', value: 3, operator: 'gt' }] }] } },
      { key: 'fuzz-group', filters: { aggregation_group_type_index: 0, groups: [{ properties: [{ key: 'seats', value: ['1', '2'], type: 'group', group_type_index: 0 }] }] } },
      { key: 'fuzz-variants', ensure_experience_continuity: true, filters: { groups: [{}], multivariate: { variants: [{ key: 'a', rollout_percentage: 50 }, { key: 'b', rollout_percentage: 50 }] } } },
    ]) expect((await api(flag)).status).toBe(201);
    const statuses = await fuzzOverHttp(server.url, anyRawRequest(server.project.api_token, anyFlagsPayload(server.project.api_token)),
      ['/flags/?v=2', '/flags/?v=1', '/decide/?v=3', '/decide/?v=4'], [200, 400, 401, 413, 431]);
    console.log(`flags fuzz over HTTP: statuses ${describeStatuses(statuses)}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(5);
  }, 60_000 + fuzzSeconds * 2000);
});
