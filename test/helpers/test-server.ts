import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createPersonalApiKey } from '../../src/accounts/personal-api-keys.ts';
import { createProject, type Project } from '../../src/accounts/projects.ts';
import { buildApp } from '../../src/api/app.ts';
import type { BacklogLimits } from '../../src/capture/backlog-guard.ts';
import type { ClickHouseStore } from '../../src/clickhouse/clickhouse-store.ts';
import type { RateLimit } from '../../src/capture/rate-limiter.ts';
import type { LoginLimit } from '../../src/accounts/login-limiter.ts';
import { runQuery } from '../../src/db/pool.ts';
import { Worker } from '../../src/ingestion/worker.ts';
import { createTestClickHouse, testEventsStore } from './test-clickhouse.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** A worker log that stays quiet unless something goes wrong. */
export const quietLog = { info: () => undefined, warn: () => undefined, error: (obj: object, msg?: string) => console.error(msg, obj) };

export interface TestServer {
  db: TestDatabase;
  app: FastifyInstance;
  url: string;
  project: Project;
  apiKey: string;
  worker?: Worker;
  /** The ClickHouse events store the worker also writes to and insights read (TEST_EVENTS_STORE, or given). */
  clickhouse?: ClickHouseStore;
  /** The environment a Sounder command run as another process needs to reach this server's events store. */
  storeEnv(): Record<string, string>;
  /** Waits until the ingestion buffer is empty (every accepted event is stored). */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Sounder web tier on a random port over a fresh database, with an in-process worker
 * unless `worker: false`; with TEST_EVENTS_STORE set, over a fresh ClickHouse database too.
 */
export async function startTestServer(options: { worker?: boolean; backlogLimits?: BacklogLimits; captureRateLimit?: RateLimit; insightCacheSeconds?: number; loginLimit?: LoginLimit; clickhouse?: ClickHouseStore | null } = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const kind = options.clickhouse === undefined ? testEventsStore() : undefined;
  const ownClickHouse = kind ? await createTestClickHouse(kind) : undefined;
  // null: Postgres only, whatever the run's store.
  const clickhouse = options.clickhouse ?? ownClickHouse?.store;
  const app = await buildApp({ db: db.pool, pool: db.pool, logLevel: 'silent', backlogLimits: options.backlogLimits, captureRateLimit: options.captureRateLimit, insightCacheSeconds: options.insightCacheSeconds, loginLimit: options.loginLimit, clickhouse });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const project = await createProject(db.pool, 'Test project');
  const apiKey = (await createPersonalApiKey(db.pool, project.id)).key;
  let worker: Worker | undefined;
  if (options.worker !== false) {
    worker = new Worker({ databaseUrl: db.url, batchEvents: 1000, pollMs: 10, log: quietLog, clickhouse });
    worker.start();
  }
  const storeEnv = (): Record<string, string> => {
    if (!ownClickHouse) return { DATABASE_URL: db.url };
    if (!ownClickHouse.urls) throw new Error('chDB runs in this process: a command in another process cannot reach it');
    return { DATABASE_URL: db.url, CLICKHOUSE_URL: ownClickHouse.urls.join(','), CLICKHOUSE_CLUSTER: ownClickHouse.store.cluster ?? '', CLICKHOUSE_DATABASE: ownClickHouse.store.database };
  };
  return {
    db, app, url, project, apiKey, worker, clickhouse, storeEnv,
    drained: (timeoutMs = 30_000) => waitForEmptyBuffer(db, timeoutMs),
    stop: async () => {
      await worker?.stop();
      await app.close();
      await db.drop();
      await ownClickHouse?.drop();
    },
  };
}

export async function waitForEmptyBuffer(db: TestDatabase, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await runQuery<{ n: number }>(db.pool, 'test.buffer', 'SELECT count(*)::int AS n FROM ingestion_buffer');
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the ingestion buffer did not drain in time');
}
