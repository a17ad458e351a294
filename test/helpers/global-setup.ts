import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../src/net/free-port.ts';
import { startLoopbackCluster, type LoopbackCluster } from '../../src/clickhouse/loopback-cluster.ts';
import { ensureEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext { adminDatabaseUrl: string; clickhouseCluster: { urls: string[]; cluster: string } | undefined }
}

let server: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let cluster: LoopbackCluster | undefined;
let clusterDir: string | undefined;

/** TEST_EVENTS_STORE=cluster: a real two-shard ClickHouse cluster on loopback for the run. */
async function startClickHouse(project: TestProject): Promise<void> {
  if (process.env.TEST_EVENTS_STORE !== 'cluster') {
    project.provide('clickhouseCluster', undefined);
    return;
  }
  clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-clickhouse-'));
  cluster = await startLoopbackCluster(clusterDir, 2);
  project.provide('clickhouseCluster', { urls: cluster.urls, cluster: cluster.cluster });
}

/** TEST_DATABASE_URL when set (a server the tests may create databases on); else one embedded PostgreSQL for the run. */
export async function setup(project: TestProject): Promise<void> {
  await startClickHouse(project);
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return;
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-test-'));
  fs.chmodSync(dataDir, 0o755);
  server = await ensureEmbeddedPostgres({ dataDir, port: await freePort() });
  project.provide('adminDatabaseUrl', server.adminUrl);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
  if (clusterDir) fs.rmSync(clusterDir, { recursive: true, force: true });
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
