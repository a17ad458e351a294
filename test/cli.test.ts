import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';
import { freePort } from '../src/net/free-port.ts';

const run = promisify(execFile);
const sounder = (args: string[], env: NodeJS.ProcessEnv) => run(process.execPath, ['bin/sounder.js', ...args], { env: { ...process.env, ...env } });

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(() => db.drop());

describe('the sounder CLI', () => {
  it('creates and lists projects and keys as JSON', async () => {
    const env = { DATABASE_URL: db.url };
    const created = JSON.parse((await sounder(['projects', 'create', '--name', 'Shop', '--json'], env)).stdout);
    expect(created).toMatchObject({ id: expect.any(Number), name: 'Shop', api_token: expect.stringMatching(/^phc_/) });
    const listed = JSON.parse((await sounder(['projects', 'list', '--json'], env)).stdout);
    expect(listed).toContainEqual(created);
    const key = JSON.parse((await sounder(['keys', 'create', '--project', String(created.id), '--json'], env)).stdout);
    expect(key.key).toMatch(/^phx_/);
    const { rows } = await db.pool.query('SELECT key_hash FROM personal_api_keys WHERE project_id = $1', [created.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash.toString('utf8')).not.toContain(key.key);
    expect((await sounder(['migrate'], env)).stdout).toMatch(/up to date/);
  });

  it('explains each command and fails clearly', async () => {
    const help = (await sounder(['--help'], {})).stdout;
    for (const word of ['start', 'web', 'worker', 'migrate', 'projects', 'keys', 'bench', 'DATABASE_URL', 'SOUNDER_DATA_DIR']) expect(help).toContain(word);
    expect((await sounder(['bench', 'ingest', '--help'], {})).stdout).toContain('--events');
    await expect(sounder(['keys', 'create', '--project', '999'], { DATABASE_URL: db.url })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no project with id 999') });
    await expect(sounder(['nonsense'], {})).rejects.toMatchObject({ code: 1 });
    await expect(sounder(['web', '--port', 'abc'], { DATABASE_URL: db.url })).rejects.toMatchObject({ stderr: expect.stringContaining('port') });
  });

  it('`sounder start` runs an embedded PostgreSQL, web and worker; data survives a restart; Ctrl-C stops it all', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-start-'));
    fs.chmodSync(dataDir, 0o755);
    const env = { ...process.env, SOUNDER_DATA_DIR: dataDir, SOUNDER_PG_PORT: String(await freePort()), PORT: String(await freePort()), LOG_LEVEL: 'warn', DATABASE_URL: '' };
    const startOnce = async () => {
      const child = spawn(process.execPath, ['bin/sounder.js', 'start'], { env });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      const deadline = Date.now() + 60_000;
      while (!/API token: (phc_\S+)/.test(output) || !(await fetch(`http://127.0.0.1:${env.PORT}/_health`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sounder start did not come up:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return { child, output: () => output };
    };
    try {
      const first = await startOnce();
      const token = /API token: (phc_\S+)/.exec(first.output())![1]!;
      const key = /Personal API key \(shown once, for the REST API\): (phx_\S+)/.exec(first.output())![1]!;
      const client = new PostHog(token, { host: `http://127.0.0.1:${env.PORT}`, flushAt: 1 });
      client.capture({ distinctId: 'readme-user', event: 'tried sounder' });
      await client.shutdown();
      const events = async () => {
        const response = await fetch(`http://127.0.0.1:${env.PORT}/api/projects/1/events?distinct_id=readme-user`, { headers: { authorization: `Bearer ${key}` } });
        return ((await response.json()) as { results: Array<{ event: string }> }).results;
      };
      for (let i = 0; i < 100 && (await events()).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await events()).map((e) => e.event)).toEqual(['tried sounder']);

      first.child.kill('SIGINT');
      const code = await new Promise((resolve) => first.child.once('exit', resolve));
      expect(code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

      const second = await startOnce();
      expect(second.output()).toContain(token);
      expect((await events()).map((e) => e.event)).toEqual(['tried sounder']);
      second.child.kill('SIGINT');
      await new Promise((resolve) => second.child.once('exit', resolve));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
