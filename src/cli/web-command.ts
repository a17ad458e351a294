import type { Command } from 'commander';
import { buildApp } from '../api/app.ts';
import { closeClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { openConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open-database.ts';
import { createPool } from '../db/pool.ts';
import { runAsClusterPrimary } from './cluster-processes.ts';
import { parseProcessCount } from './process-count.ts';
import { onShutdown } from './shutdown.ts';

export function registerWebCommand(program: Command): void {
  program.command('web')
    .description('run the web tier alone: SDK capture endpoints, the REST API and the web app (run as many as needed)')
    .option('--port <port>', 'HTTP port (PORT)')
    .option('--host <host>', 'address to listen on (HOST)')
    .option('--processes <n>', 'web processes sharing the port (each with its own database pool)', '1')
    .action(async (options: { port?: string; host?: string; processes: string }) => {
      const config = loadConfig({ port: options.port as unknown as number, host: options.host });
      if (await runAsClusterPrimary('web', parseProcessCount('--processes', options.processes), config)) return;
      const handle = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
      const pool = createPool(handle.url, config.dbPoolSize, 'sounder-web');
      const readPool = config.databaseReadUrl ? createPool(config.databaseReadUrl, config.dbPoolSize, 'sounder-web-read') : pool;
      const clickhouse = openConfiguredClickHouse(config);
      const app = await buildApp({
        clickhouse,
        db: pool,
        pool,
        readDb: readPool,
        logLevel: config.logLevel,
        backlogLimits: { maxEvents: config.maxBacklogEvents, maxSeconds: config.maxBacklogSeconds },
        insightCacheSeconds: config.insightCacheSeconds,
        flagCacheSeconds: config.flagCacheSeconds,
        captureRateLimit: { eventsPerSecond: config.captureEventsPerSecond, burstSeconds: config.captureBurstSeconds },
        loginLimit: { attempts: config.loginAttempts, windowSeconds: config.loginWindowSeconds },
      });
      await app.listen({ port: config.port, host: config.host });
      onShutdown(async () => {
        await app.close();
        await pool.end();
        if (readPool !== pool) await readPool.end();
        if (clickhouse) await closeClickHouseStore(clickhouse);
        await handle.release();
      });
    });
}

