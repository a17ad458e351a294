import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrlFor } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { quoteIdentifier } from '../src/db/quote-identifier.ts';

const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/sounder.js');

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database beside the configured one, so a benchmark never touches real data. */
export async function createBenchDatabase(databaseUrl: string, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sounder_bench_${label}_${Date.now()}`;
  await adminQuery(databaseUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = databaseUrlFor(databaseUrl, name);
  await migrate(url);
  return { url, drop: () => adminQuery(databaseUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`) };
}

/** Runs `sounder <args>` (web, worker) as a child process against `databaseUrl`. */
export function startRole(args: string[], databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['--max-semi-space-size=64', entry, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stopRole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

export async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
