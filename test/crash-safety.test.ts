import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type Project } from '../src/accounts/projects.ts';
import { databaseUrlFor, ensureEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool, runQuery, type Pool } from '../src/db/pool.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { freePort } from '../src/net/free-port.ts';

/**
 * Ingestion under load while web processes, workers and the database itself are killed with
 * SIGKILL at random moments, round after round. Its own embedded PostgreSQL, since that is
 * killed too. Clients retry as the SDKs do (same batch, same uuids) until they get a 200.
 */
const killsPerKind = Number(process.env.SOUNDER_CRASH_ROUNDS ?? 20);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dataDir: string;
let pgPort: number;
let postgres: EmbeddedPostgres;
let databaseUrl: string;
let pool: Pool;
let project: Project;
let webPort: number;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-crash-'));
  fs.chmodSync(dataDir, 0o755);
  pgPort = await freePort();
  webPort = await freePort();
  postgres = await ensureEmbeddedPostgres({ dataDir, port: pgPort });
  const admin = createPool(postgres.adminUrl, 1);
  await runQuery(admin, 'test.create', 'CREATE DATABASE crash');
  await admin.end();
  databaseUrl = databaseUrlFor(postgres.adminUrl, 'crash');
  await migrate(databaseUrl);
  pool = createPool(databaseUrl, 2);
  project = await createProject(pool, 'Crash');
});
afterAll(async () => {
  // A failed run must not leave its processes respawning or holding the port.
  for (const role of roles) await role.stop();
  await pool?.end();
  await postgres?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const roles: Supervised[] = [];

/** A role run as `sounder <args>`, respawned whenever it exits, as `sounder start`'s supervisor does. */
class Supervised {
  child: ChildProcess | undefined;
  private stopped = false;
  restarts = 0;

  constructor(private readonly args: string[]) {
    roles.push(this);
  }

  get logFile(): string {
    return path.join(dataDir, `${this.args[0]}.log`);
  }

  logTail(lines: number): string {
    const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
    return text.split('\n').filter(Boolean).slice(-lines).join('\n');
  }

  start(): void {
    // Warnings go to a log per role, shown if the run fails: a stuck worker says why there.
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['bin/sounder.js', ...this.args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', SOUNDER_WORKER_BATCH_EVENTS: '500', SOUNDER_WORKER_POLL_MS: '20' },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    child.once('exit', () => {
      if (this.stopped) return;
      this.restarts++;
      setTimeout(() => this.start(), 100);
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

function postmasterPid(): number {
  return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function childPids(pid: number): Promise<number[]> {
  return new Promise((resolve) => {
    const ps = spawn('pgrep', ['-P', String(pid)]);
    let out = '';
    ps.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    ps.on('exit', () => resolve(out.split('\n').filter(Boolean).map(Number)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function killPostgres(): Promise<void> {
  const pid = postmasterPid();
  const children = await childPids(pid);
  process.kill(pid, 'SIGKILL');
  // The backends notice their postmaster is gone and exit; a new postmaster needs them gone.
  for (let i = 0; i < 400 && [pid, ...children].some(alive); i++) await sleep(25);
  postgres = await ensureEmbeddedPostgres({ dataDir, port: pgPort });
}

// It brings its own PostgreSQL (the one it kills), so a pass against TEST_DATABASE_URL would only repeat it.
describe.skipIf(process.env.TEST_DATABASE_URL !== undefined)('SIGKILL under load: web, worker and PostgreSQL', () => {
  it(`stores every acknowledged event exactly once after ${killsPerKind} kills of each`, async () => {
    const web = new Supervised(['web', '--port', String(webPort), '--host', '127.0.0.1']);
    const worker = new Supervised(['worker']);
    web.start();
    worker.start();
    const url = `http://127.0.0.1:${webPort}`;
    const acknowledged = new Set<string>();
    let sent = 0;
    let retries = 0;
    let stop = false;
    const lane = async (id: number) => {
      for (let n = 0; !stop; n++) {
        const batch = Array.from({ length: 40 }, (_, i) => ({ event: i % 10 === 0 ? '$identify' : 'tick', distinct_id: `lane-${id}-${i % 8}`, uuid: randomUUID(), properties: { $set: { n } } }));
        for (;;) {
          const result = await sendCapture(url, { api_key: project.api_token, batch }).catch(() => undefined);
          if (result?.status === 200) break;
          retries++;
          await sleep(100);
        }
        sent += batch.length;
        for (const event of batch) acknowledged.add(event.uuid);
      }
    };
    const lanes = [0, 1, 2].map(lane);

    const kills = { web: 0, worker: 0, postgres: 0 };
    const kinds = ['web', 'worker', 'postgres'] as const;
    for (let round = 0; round < killsPerKind * kinds.length; round++) {
      // Each kill lands while events flow: after the last one has been recovered from (a new
      // batch acknowledged), at a random moment up to half a second later.
      const seen = acknowledged.size;
      const recovered = Date.now() + 30_000;
      while (acknowledged.size === seen && Date.now() < recovered) await sleep(20);
      await sleep(Math.random() * 500);
      const kind = kinds[round % kinds.length]!;
      if (kind === 'web') web.kill();
      else if (kind === 'worker') worker.kill();
      else await killPostgres();
      kills[kind]++;
    }
    await sleep(1500);
    stop = true;
    await Promise.all(lanes);

    // A busy CI machine can leave a long backlog: wait as long as it shrinks, fail once it stalls.
    let deadline = Date.now() + 60_000;
    let lowest = Infinity;
    for (;;) {
      const { rows } = await runQuery<{ n: number }>(pool, 'test.buffer', 'SELECT count(*)::int AS n FROM ingestion_buffer').catch(() => ({ rows: [{ n: -1 }] }));
      if (rows[0]!.n === 0) break;
      if (rows[0]!.n >= 0 && rows[0]!.n < lowest) {
        lowest = rows[0]!.n;
        deadline = Date.now() + 60_000;
      }
      if (Date.now() > deadline) {
        const { rows: left } = await runQuery<{ shard: number; n: number }>(pool, 'test.buffer_shards',
          'SELECT shard, count(*)::int AS n FROM ingestion_buffer GROUP BY shard ORDER BY shard').catch(() => ({ rows: [] }));
        const { rows: workers } = await runQuery<{ id: string; shards: number; heartbeat_at: string }>(pool, 'test.workers',
          'SELECT id, shards, heartbeat_at::text FROM workers').catch(() => ({ rows: [] }));
        throw new Error(`the ingestion buffer stopped draining (${rows[0]!.n} rows left; by shard ${JSON.stringify(left)}; ` +
          `workers ${JSON.stringify(workers)})\nworker log:\n${worker.logTail(40)}\nweb log:\n${web.logTail(10)}`);
      }
      await sleep(200);
    }
    await web.stop();
    await worker.stop();

    const { rows } = await runQuery<{ uuid: string }>(pool, 'test.stored', 'SELECT uuid::text FROM events');
    const stored = new Set(rows.map((row) => row.uuid));
    const missing = [...acknowledged].filter((uuid) => !stored.has(uuid));
    console.log(`crash safety: kills web ${kills.web}, worker ${kills.worker}, postgres ${kills.postgres}; ` +
      `restarts web ${web.restarts}, worker ${worker.restarts}; ${acknowledged.size} events acknowledged (${sent} sent), ` +
      `${retries} client retries; stored ${rows.length}, distinct ${stored.size}, missing ${missing.length}`);
    expect(missing).toEqual([]);
    expect(rows.length).toBe(stored.size);
    expect(stored.size).toBe(acknowledged.size);
    expect(kills).toEqual({ web: killsPerKind, worker: killsPerKind, postgres: killsPerKind });
    expect(retries).toBeGreaterThan(0);
  }, 900_000);
});
