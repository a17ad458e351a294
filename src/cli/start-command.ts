import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createPersonalApiKey } from '../accounts/personal-api-keys.ts';
import { createProject, listProjects } from '../accounts/projects.ts';
import { countUsers } from '../accounts/users.ts';
import { migrateConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { createPool } from '../db/pool.ts';
import { parseProcessCount } from './process-count.ts';
import { onShutdown } from './shutdown.ts';
import { superviseGroup } from './supervisor.ts';

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
    if (await countUsers(pool) === 0) lines.push(`Open http://${host}:${config.port} to create the admin account`);
    return lines.join('\n');
  } finally {
    await pool.end();
  }
}

export function registerStartCommand(program: Command): void {
  program.command('start')
    .description('run everything: the embedded PostgreSQL (unless DATABASE_URL is set), migrations, web and worker')
    .option('--port <port>', 'HTTP port (PORT)')
    .option('--web <n>', 'web processes, sharing the HTTP port', '1')
    .option('--workers <n>', 'worker processes (each moves its share of the 16 shards)', '1')
    .action(async (options: { port?: string; web: string; workers: string }) => {
      const webCount = parseProcessCount('--web', options.web);
      const workerCount = parseProcessCount('--workers', options.workers, 16);
      const config = loadConfig({ port: options.port as unknown as number });
      const handle = await openDatabase(config, (line) => console.error(line));
      await migrate(handle.url);
      await migrateConfiguredClickHouse(config);
      const env = { ...process.env, DATABASE_URL: handle.url, PORT: String(config.port) };
      // A larger young generation: capture and ingestion allocate many short-lived objects per event.
      const launch = (args: string[]) => () => fork(entry, args, { env, stdio: 'inherit', execArgv: ['--max-semi-space-size=64'] });
      const group = superviseGroup([
        { name: 'sounder web', launch: launch(['web', '--processes', String(webCount)]) },
        ...Array.from({ length: workerCount }, (_, i) => ({ name: `sounder worker ${i + 1}`, launch: launch(['worker']) })),
      ], () => handle.release());
      console.log(await welcome(handle.url, config));
      onShutdown(async () => {
        await group.stopAll();
        await handle.release();
        console.error('Sounder stopped');
      });
    });
}
