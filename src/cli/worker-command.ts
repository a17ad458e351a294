import type { Command } from 'commander';
import pino from 'pino';
import { closeClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { openConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open-database.ts';
import { Worker } from '../ingestion/worker.ts';
import { MaintenanceLoop } from '../partition/maintenance-loop.ts';
import { runAsClusterPrimary } from './cluster-processes.ts';
import { parseProcessCount } from './process-count.ts';
import { onShutdown } from './shutdown.ts';

export function registerWorkerCommand(program: Command): void {
  program.command('worker')
    .description('run an ingestion worker alone: moves events from the buffer into events and persons (run as many as needed)')
    .option('--batch-events <n>', 'events per worker transaction (SOUNDER_WORKER_BATCH_EVENTS)')
    .option('--processes <n>', 'worker processes (up to 16 share the work)', '1')
    .action(async (options: { batchEvents?: string; processes: string }) => {
      const config = loadConfig({ workerBatchEvents: options.batchEvents as unknown as number });
      if (await runAsClusterPrimary('worker', parseProcessCount('--processes', options.processes, 16), config)) return;
      const log = pino({ level: config.logLevel });
      const handle = await openDatabase(config, (line) => log.info(line));
      const clickhouse = openConfiguredClickHouse(config);
      const worker = new Worker({ databaseUrl: handle.url, batchEvents: config.workerBatchEvents, pollMs: config.workerPollMs, log, clickhouse });
      const maintenance = new MaintenanceLoop({ databaseUrl: handle.url, intervalMs: config.maintenanceSeconds * 1000, cohortRefreshSeconds: config.cohortRefreshSeconds, lakeExport: config.lakeExportDir ? { dir: config.lakeExportDir, graceDays: config.lakeGraceDays } : undefined, clickhouse, log });
      worker.start();
      maintenance.start();
      log.info({ worker: worker.id }, 'worker started');
      onShutdown(async () => {
        await Promise.all([worker.stop(), maintenance.stop()]);
        log.info({ worker: worker.id, ...worker.stats }, 'worker stopped');
        if (clickhouse) await closeClickHouseStore(clickhouse);
        await handle.release();
      });
    });
}
