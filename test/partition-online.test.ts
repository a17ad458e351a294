import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { convertEvents } from '../src/partition/convert-events.ts';
import { plainLayout, weeklyLayout } from '../src/partition/event-layout.ts';
import { readPartitionStatus } from '../src/partition/partition-status.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { eventsFingerprint } from './helpers/event-rows.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const events = ['$pageview', '$autocapture', '$pageleave', 'purchase'];

/** Sends batches until stopped; counts the events that got a 200. */
function startSending(tag: string): { stop(): Promise<number> } {
  let stopped = false;
  let acknowledged = 0;
  const loop = (async () => {
    for (let round = 0; !stopped; round++) {
      const batch = Array.from({ length: 100 }, (_, i) => ({
        event: events[(round + i) % events.length], distinct_id: `${tag}-${i % 20}`, uuid: randomUUID(),
        // Some events land weeks back, some far in the past: every kind of partition gets writes.
        timestamp: new Date(Date.now() - ((round * 100 + i) % 7) * 86_400_000 * (i % 10 === 0 ? 400 : 3)).toISOString(),
        properties: { round, i },
      }));
      const { status } = await sendCapture(server.url, { api_key: server.project.api_token, batch });
      if (status === 200) acknowledged += batch.length;
      await sleep(5);
    }
  })();
  return { stop: async () => { stopped = true; await loop; return acknowledged; } };
}

async function count(where = 'true'): Promise<number> {
  const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.count', `SELECT count(*)::int AS n FROM events WHERE ${where}`);
  return rows[0]!.n;
}

describe('a conversion while ingestion runs', () => {
  it('keeps every acknowledged event exactly once, and deletes made during the copy stay deleted', async () => {
    const preload = startSending('pre');
    await sleep(1500);
    const preloaded = await preload.stop();
    await server.drained();
    expect(await count()).toBe(preloaded);

    // Rows deleted while the copy runs (a person deleted, say) must not come back.
    const { rows: victims } = await runQuery<{ n: number }>(server.db.pool, 'test.victims', "SELECT count(*)::int AS n FROM events WHERE distinct_id = 'pre-3'");
    expect(victims[0]!.n).toBeGreaterThan(0);

    for (const [round, target] of [weeklyLayout(['$pageview', '$autocapture']), plainLayout, weeklyLayout([])].entries()) {
      const sender = startSending(`during${round}`);
      await sleep(300);
      let deleted = false;
      const outcome = await convertEvents(server.db.url, {
        target,
        // One page per statement: the copy lasts long enough for many batches to land during it.
        pagesPerChunk: 1,
        onProgress: ({ step, done }) => {
          if (step === 'copying' && done > 500 && !deleted) {
            deleted = true;
            void runQuery(server.db.pool, 'test.delete', "DELETE FROM events WHERE distinct_id = 'pre-3'");
          }
        },
      });
      await sleep(300);
      const sent = await sender.stop();
      await server.drained();
      expect(outcome.changed).toBe(true);
      if (outcome.changed) expect(outcome.changesReplayed).toBeGreaterThan(0);
      const total = await count();
      const { rows } = await runQuery<{ n: number }>(server.db.pool, 'test.distinct', 'SELECT count(DISTINCT uuid)::int AS n FROM events');
      expect(rows[0]!.n).toBe(total);
      expect(await count("distinct_id = 'pre-3'")).toBe(0);
      expect(sent).toBeGreaterThan(0);
      expect(await count(`distinct_id LIKE 'during${round}-%'`)).toBe(sent);
    }
    const { rows: leftovers } = await runQuery<{ n: number }>(server.db.pool, 'test.leftovers',
      "SELECT (SELECT count(*) FROM event_conversion_changes) + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sounder_conversion%') AS n");
    expect(Number(leftovers[0]!.n)).toBe(0);
  }, 180_000);
});

function runPartitionCli(args: string[]): { killAfter(marker: RegExp): Promise<boolean>; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/sounder.js', 'partition', ...args], {
    env: { ...process.env, DATABASE_URL: server.db.url }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners: Array<() => void> = [];
  const onData = (chunk: Buffer) => { output += chunk.toString(); listeners.forEach((listener) => listener()); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    done,
    killAfter: (marker) => new Promise<boolean>((resolve) => {
      const check = () => {
        if (marker.test(output)) {
          child.kill('SIGKILL');
          resolve(true);
        }
      };
      listeners.push(check);
      check();
      void done.then(() => resolve(false));
    }),
  };
}

describe('a conversion killed with SIGKILL', () => {
  it('leaves events intact, shows as unfinished, and the next run settles it: never two copies, never a lost row', async () => {
    await server.drained();
    const before = await eventsFingerprint(server.db.pool);
    const markers = [/capturing writes/, /copying: \d+/, /building \d+ indexes/, /replaying/, /switching events/];
    const targets = [weeklyLayout(['$pageview']), plainLayout];
    const outcomes: string[] = [];
    for (const [round, marker] of markers.entries()) {
      const target = targets[round % targets.length]!;
      const flag = target.kind === 'plain' ? ['--reverse'] : ['--element', '$pageview'];
      const run = runPartitionCli([...flag, '--pages-per-chunk', '1']);
      const killed = await run.killAfter(marker);
      await run.done;
      // The server side of the killed session finishes its statement before it notices: until
      // then the conversion still shows as running.
      let status = await readPartitionStatus(server.db.pool, false);
      for (const deadline = Date.now() + 20_000; status.conversion!.running && Date.now() < deadline;) {
        await sleep(100);
        status = await readPartitionStatus(server.db.pool, false);
      }
      outcomes.push(killed ? status.conversion!.phase : 'completed');
      if (status.conversion!.unfinished) {
        expect(status.conversion!.running).toBe(false);
        // The live table is whole whichever side of the switch the kill landed on.
        expect(await eventsFingerprint(server.db.pool)).toEqual(before);
      }
      const rerun = runPartitionCli(flag);
      expect(await rerun.done).toBe(0);
      expect(await eventsFingerprint(server.db.pool)).toEqual(before);
      const settled = await readPartitionStatus(server.db.pool, true);
      expect(settled.conversion!.unfinished).toBe(false);
      expect(settled.layout).toEqual(target);
      expect(settled.rows).toBe(before.rows);
    }
    // Most kills land mid-conversion (the last markers can be too late on a fast machine).
    expect(outcomes.filter((phase) => phase !== 'completed' && phase !== 'done').length).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
