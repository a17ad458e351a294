import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, waitForEmptyBuffer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
const workers: ChildProcess[] = [];
beforeAll(async () => { server = await startTestServer({ worker: false }); });
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await server.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['bin/sounder.js', 'worker'], {
    env: { ...process.env, DATABASE_URL: server.db.url, SOUNDER_WORKER_BATCH_EVENTS: '300', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  workers.push(child);
  return child;
}

/** Shards held per worker process right now, from the two-key advisory locks (the partition lock has one key) in this test's database. */
async function shardHolders(): Promise<number[]> {
  const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.holders',
    `SELECT count(*)::int AS n FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
     GROUP BY pid ORDER BY 1`);
  return rows.map((row) => row.n);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

describe('several workers in tandem', () => {
  it('share the shards, take over a SIGKILLed worker\'s shards within seconds, and store every event once', async () => {
    const [victim] = [spawnWorker(), spawnWorker(), spawnWorker()];
    // Shares settle over a few rebalance rounds (every 2 s); on a busy machine the first round may leave one worker with more.
    const shared = await waitFor(shardHolders, (held) => held.length === 3 && held.reduce((a, b) => a + b, 0) === 16 && Math.max(...held) <= 6, 30_000);
    expect(shared).toHaveLength(3);
    expect(Math.max(...shared)).toBeLessThanOrEqual(6);

    const total = 30_000;
    let acknowledged = 0;
    const load = (async () => {
      for (let start = 0; start < total; start += 300) {
        const batch = Array.from({ length: 300 }, (_, i) => ({ event: 'tandem', distinct_id: `tandem-${(start + i) % 500}`, uuid: randomUUID(), properties: { seq: start + i } }));
        const { status } = await sendCapture(server.url, { api_key: server.project.api_token, batch }, { gzip: true });
        expect(status).toBe(200);
        acknowledged += batch.length;
      }
    })();

    await sleep(1500);
    victim!.kill('SIGKILL');
    const killedAt = Date.now();
    const after = await waitFor(shardHolders, (held) => held.length === 2 && held.reduce((a, b) => a + b, 0) === 16, 15_000);
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    expect(after).toHaveLength(2);
    expect(after.reduce((a, b) => a + b, 0)).toBe(16);
    expect(takeoverSeconds).toBeLessThan(8);

    await load;
    await waitForEmptyBuffer(server.db, 120_000);
    const { rows } = await runQuery<{ events: number; uuids: number; seqs: number }>(server.db.pool, 'test.once',
      `SELECT count(*)::int AS events, count(DISTINCT uuid)::int AS uuids, count(DISTINCT properties ->> 'seq')::int AS seqs FROM events`);
    expect(rows[0]).toEqual({ events: acknowledged, uuids: acknowledged, seqs: acknowledged });
    const { rows: persons } = await runQuery<{ n: number }>(server.db.pool, 'test.persons', 'SELECT count(*)::int AS n FROM persons');
    expect(persons[0]!.n).toBe(500);
  }, 180_000);
});
