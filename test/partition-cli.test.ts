import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { quoteLiteral } from '../src/db/quote-literal.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { eventsFingerprint } from './helpers/event-rows.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const run = promisify(execFile);
let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.stop());

function sounder(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/sounder.js', ...args], { env: { ...process.env, DATABASE_URL: server.db.url } });
}

async function failure(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await sounder(args);
  } catch (error) {
    return error as { code: number; stderr: string };
  }
  throw new Error(`sounder ${args.join(' ')} succeeded`);
}

describe('sounder partition (CLI)', () => {
  it('explains itself and refuses bad input with one clear line', async () => {
    const help = (await sounder(['partition', '--help'])).stdout;
    for (const word of ['--element', '--reverse', '--dry-run', 'status', 'drop-before', 'retention', 'maintain']) expect(help).toContain(word);
    expect((await failure(['partition', '--reverse', '--element', '$pageview'])).stderr).toMatch(/--reverse .* takes no --element/);
    expect((await failure(['partition', '--element', '  '])).stderr).toMatch(/event #1 is empty/);
    expect((await failure(['partition', '--element', 'a', '--element', 'a'])).stderr).toMatch(/"a" is given twice/);
    expect((await failure(['partition', '--elements', 'a'])).stderr).toMatch(/unknown option '--elements'/);
    expect((await failure(['partition', 'drop-before', 'last tuesday'])).stderr).toMatch(/DATE must be a date/);
  });

  it('--dry-run prints the plan and changes nothing; status shows the layout', async () => {
    const batch = Array.from({ length: 300 }, (_, i) => ({ event: i % 3 ? '$pageview' : 'signed up', distinct_id: `u${i % 7}`, properties: { i } }));
    expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
    await server.drained();
    const before = await eventsFingerprint(server.db.pool);
    const plan = JSON.parse((await sounder(['partition', '--element', '$pageview', '--dry-run', '--json'])).stdout);
    expect(plan).toMatchObject({ changes: true, rowsToMove: 300, target: { kind: 'weekly', events: ['$pageview'] } });
    expect(plan.tables.reduce((sum: number, table: { rows: number }) => sum + table.rows, 0)).toBe(300);
    expect(plan.tables.filter((table: { event: string | null }) => table.event === '$pageview').reduce((sum: number, table: { rows: number }) => sum + table.rows, 0)).toBe(200);
    expect((await sounder(['partition', '--element', '$pageview', '--dry-run'])).stdout).toMatch(/tables to create, 300 rows to move; nothing was changed/);
    expect(await eventsFingerprint(server.db.pool)).toEqual(before);
    expect(JSON.parse((await sounder(['partition', 'status', '--json'])).stdout)).toMatchObject({ layout: { kind: 'plain' }, tables: [{ table: 'events' }] });

    const converted = JSON.parse((await sounder(['partition', '--element', '$pageview', '--json'])).stdout);
    expect(converted).toMatchObject({ changed: true, rowsCopied: 300 });
    const status = JSON.parse((await sounder(['partition', 'status', '--exact', '--json'])).stdout);
    expect(status).toMatchObject({ layout: { kind: 'weekly', events: ['$pageview'] }, rows: 300, rowsExact: true, conversion: { phase: 'done', unfinished: false } });
    expect((await sounder(['partition', 'status'])).stdout).toMatch(/event "\$pageview", week of \d{4}-\d{2}-\d{2}/);
  });

  it('drops a retried event even when its re-timed copy falls in the next week\'s partition', async () => {
    // The first request's clock-skew correction puts the event at Sunday 23:59:55. The retry
    // carries a sent_at 10 s further behind (a client resending its payload late), so the
    // correction moves the copy past Monday 00:00: another partition, still the same event.
    const uuid = randomUUID();
    const eventTime = new Date('2026-11-29T23:59:50Z');
    const first = new Date(Date.now());
    const payload = (sentAt: Date) => ({ api_key: server.project.api_token, sent_at: sentAt.toISOString(), batch: [{ event: '$pageview', distinct_id: 'retry', uuid, timestamp: eventTime.toISOString() }] });
    // Skew chosen so the first copy lands at 23:59:55 and the second 10 s later.
    const skewed = new Date(first.getTime() - (new Date('2026-11-29T23:59:55Z').getTime() - eventTime.getTime()));
    expect((await sendCapture(server.url, payload(skewed))).status).toBe(200);
    await server.drained();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await sendCapture(server.url, payload(new Date(skewed.getTime() - 10_000)))).status).toBe(200);
    await server.drained();
    const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.copies', 'SELECT count(*)::int AS n FROM events WHERE uuid = $1', [uuid]);
    expect(rows[0]!.n).toBe(1);
  });

  it('quotes partition bounds exactly as Postgres reads them back', async () => {
    const values = ["it's", 'back\\slash', "both ' and \\", '$pageview', 'ünïcödé 日本', '"double"', "''", '\\', 'E\'x\''];
    for (const value of values) {
      const { rows } = await runQuery<{ same: boolean }>(server.db.pool, 'test.quote', `SELECT ${quoteLiteral(value)} = $1 AS same`, [value]);
      expect(rows[0]!.same).toBe(true);
    }
    expect(() => quoteLiteral('nul\0byte')).toThrow(/NUL/);
  });
});
