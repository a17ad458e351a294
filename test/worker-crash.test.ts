import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, waitForEmptyBuffer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer({ worker: false }); });
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnWorker(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['bin/sounder.js', 'worker'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, SOUNDER_WORKER_BATCH_EVENTS: '400', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function storedCount(): Promise<number> {
  const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.count', 'SELECT count(*)::int AS n FROM events');
  return rows[0]!.n;
}

describe('a worker killed with SIGKILL mid-batch', () => {
  it('loses and duplicates nothing: every acknowledged event is stored exactly once', async () => {
    const total = 30_000;
    const users = 400;
    for (let start = 0; start < total; start += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => {
        const seq = start + i;
        const user = `crash-${seq % users}`;
        return {
          event: seq % 97 === 0 ? '$identify' : 'tick',
          distinct_id: seq % 97 === 0 ? `${user}-id` : user,
          // Half the events carry an SDK uuid, half get one assigned at capture.
          ...(seq % 2 ? { uuid: randomUUID() } : {}),
          properties: { seq, $anon_distinct_id: user, $set: { last: seq } },
        };
      });
      const { status } = await sendCapture(server.url, { api_key: server.project.api_token, batch }, { gzip: true });
      expect(status).toBe(200);
    }

    // Each round waits until the new worker has committed something, then kills it at a random
    // moment a little later: usually in the middle of its next transaction.
    let killsMidway = 0;
    for (let round = 0; round < 8; round++) {
      const start = await storedCount();
      if (start === total) break;
      const worker = spawnWorker(server.db.url);
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      const deadline = Date.now() + 20_000;
      while ((await storedCount()) === start && Date.now() < deadline) await sleep(20);
      await sleep(Math.floor(Math.random() * 150));
      worker.kill('SIGKILL');
      await exited;
      if ((await storedCount()) < total) killsMidway++;
    }
    expect(killsMidway).toBeGreaterThan(2);

    const finisher = spawnWorker(server.db.url);
    try {
      await waitForEmptyBuffer(server.db, 120_000);
    } finally {
      finisher.kill('SIGTERM');
      await new Promise((resolve) => finisher.once('exit', resolve));
    }

    const { rows } = await runQuery<{ events: number; uuids: number; seqs: number; min: number; max: number }>(server.db.pool, 'test.exactly_once',
      `SELECT count(*)::int AS events, count(DISTINCT uuid)::int AS uuids, count(DISTINCT properties ->> 'seq')::int AS seqs,
              min((properties ->> 'seq')::int) AS min, max((properties ->> 'seq')::int) AS max FROM events`);
    expect(rows[0]).toEqual({ events: total, uuids: total, seqs: total, min: 0, max: total - 1 });
    const { rows: persons } = await runQuery<{ n: number; ids: number }>(server.db.pool, 'test.persons',
      'SELECT count(DISTINCT person_uuid)::int AS n, count(*)::int AS ids FROM person_distinct_ids');
    // Each user's anonymous and identified ids end up on one person.
    const identified = new Set(Array.from({ length: total }, (_, seq) => seq).filter((seq) => seq % 97 === 0).map((seq) => seq % users));
    expect(persons[0]).toEqual({ n: users, ids: users + identified.size });
    const { rows: held } = await runQuery<{ n: number }>(server.db.pool, 'test.locks', "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    expect(held[0]!.n).toBe(0);
  }, 240_000);
});
