import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
let web: ChildProcess | undefined;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
});
afterAll(async () => {
  web?.kill('SIGKILL');
  await server.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startWeb(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/sounder.js', 'web', '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, DATABASE_URL: server.db.url, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/_health/live`).then((r) => r.ok, () => false)) return child;
    await sleep(50);
  }
  throw new Error('sounder web did not start');
}

describe('a web process restarted under load', () => {
  it('loses no acknowledged event, whether stopped with SIGTERM or killed with SIGKILL (clients retry as SDKs do)', async () => {
    web = await startWeb();
    const url = `http://127.0.0.1:${port}`;
    const acknowledged = new Set<string>();
    let retries = 0;
    let stop = false;
    const client = async (lane: number) => {
      for (let n = 0; !stop; n++) {
        const batch = Array.from({ length: 50 }, (_, i) => ({ event: 'restart', distinct_id: `lane-${lane}-${i % 5}`, uuid: randomUUID() }));
        for (;;) {
          const result = await sendCapture(url, { api_key: server.project.api_token, batch }).catch(() => undefined);
          if (result?.status === 200) break;
          retries++;
          await sleep(50);
        }
        for (const event of batch) acknowledged.add(event.uuid);
      }
    };
    const lanes = [0, 1, 2, 3].map(client);

    await sleep(800);
    const graceful = new Promise((resolve) => web!.once('exit', resolve));
    web.kill('SIGTERM');
    expect(await graceful).toBe(0);
    web = await startWeb();
    await sleep(800);
    web.kill('SIGKILL');
    await new Promise((resolve) => web!.once('exit', resolve));
    web = await startWeb();
    await sleep(800);
    stop = true;
    await Promise.all(lanes);
    await server.drained();

    expect(retries).toBeGreaterThan(0);
    const { rows } = await runQuery<{ uuid: string }>(server.db.pool, 'test.stored', 'SELECT uuid::text FROM events');
    const stored = new Set(rows.map((row) => row.uuid));
    expect(rows.length).toBe(stored.size);
    const missing = [...acknowledged].filter((uuid) => !stored.has(uuid));
    expect(missing).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(500);
  }, 120_000);
});
