import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createPersonalApiKey } from '../accounts/personal-api-keys.ts';
import { createProject, listProjects } from '../accounts/projects.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { createPool } from '../db/pool.ts';
import { onShutdown } from './shutdown.ts';

const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/sounder.js');

async function welcome(url: string, config: Config): Promise<string> {
  const pool = createPool(url, 1, 'sounder-start');
  try {
    const projects = await listProjects(pool);
    const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
    const lines = [`Sounder is running at http://${host}:${config.port}`];
    if (projects.length === 0) {
      const project = await createProject(pool, 'Default project');
      const key = await createPersonalApiKey(pool, project.id, 'created by sounder start');
      lines.push(`Project ${project.id} "${project.name}" API token: ${project.api_token}`,
        `Personal API key (shown once, for the REST API): ${key.key}`);
    } else {
      for (const project of projects) lines.push(`Project ${project.id} "${project.name}" API token: ${project.api_token}`);
      lines.push('Personal API key: create one with `npx sounder keys create`');
    }
    lines.push('Point posthog-js or posthog-node at it: { api_host / host: the URL above, key: the API token }');
    return lines.join('\n');
  } finally {
    await pool.end();
  }
}

// A child that dies this soon after starting, this many times in a row, will not start at all
// (a port in use, a database that refuses it): give up instead of restarting forever.
const quickExitMs = 5000;
const quickExitsBeforeGivingUp = 3;

/** Keeps one child process per role alive until shutdown; a crashed child is restarted. */
function supervise(role: 'web' | 'worker', env: NodeJS.ProcessEnv, isStopping: () => boolean, giveUp: (reason: string) => void): { current: () => ChildProcess } {
  let child: ChildProcess;
  let quickExits = 0;
  const launch = () => {
    const startedAt = Date.now();
    // A larger young generation: capture and ingestion allocate many short-lived objects per event.
    child = fork(entry, [role], { env, stdio: 'inherit', execArgv: ['--max-semi-space-size=64'] });
    child.on('exit', (code, signal) => {
      if (isStopping()) return;
      quickExits = Date.now() - startedAt < quickExitMs ? quickExits + 1 : 0;
      if (quickExits >= quickExitsBeforeGivingUp) {
        giveUp(`sounder ${role} exited ${quickExits} times right after starting (see its error above); stopping`);
        return;
      }
      console.error(`sounder ${role} exited (${signal ?? code}); restarting`);
      setTimeout(launch, 1000);
    });
  };
  launch();
  return { current: () => child };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function registerStartCommand(program: Command): void {
  program.command('start')
    .description('run everything: the embedded PostgreSQL (unless DATABASE_URL is set), migrations, web and worker')
    .option('--port <port>', 'HTTP port (PORT)')
    .option('--workers <n>', 'worker processes (each moves its share of the 16 shards)', '1')
    .action(async (options: { port?: string; workers: string }) => {
      const workerCount = Number(options.workers);
      if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 16) throw new Error(`--workers must be an integer from 1 to 16, got ${JSON.stringify(options.workers)}`);
      const config = loadConfig({ port: options.port as unknown as number });
      const handle = await openDatabase(config, (line) => console.error(line));
      await migrate(handle.url);
      const env = { ...process.env, DATABASE_URL: handle.url, PORT: String(config.port) };
      let stopping = false;
      const stopAll = async () => {
        stopping = true;
        await Promise.all([web, ...workers].map((child) => stopChild(child.current())));
        await handle.release();
      };
      const giveUp = (reason: string) => {
        console.error(reason);
        stopAll().finally(() => process.exit(1));
      };
      const web = supervise('web', env, () => stopping, giveUp);
      const workers = Array.from({ length: workerCount }, () => supervise('worker', env, () => stopping, giveUp));
      console.log(await welcome(handle.url, config));
      onShutdown(async () => {
        await stopAll();
        console.error('Sounder stopped');
      });
    });
}
