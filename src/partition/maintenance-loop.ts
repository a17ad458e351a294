import pg from 'pg';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { refreshStaleCohorts } from '../cohorts/compute-cohort.ts';
import { isDatabaseUnavailable } from '../db/pool.ts';
import { maintainPartitions } from './maintain-partitions.ts';

export interface MaintenanceLoopOptions {
  databaseUrl: string;
  intervalMs: number;
  /** Cohorts computed longer ago than this are recomputed in a pass. */
  cohortRefreshSeconds: number;
  /** Continuous data lake export: sealed weeks go to this directory (see src/lake). */
  lakeExport?: { dir: string; graceDays: number };
  /** The ClickHouse events store: retention deletes its events too, and cohorts are copied there. */
  clickhouse?: ClickHouseStore;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/**
 * Every worker process runs one; each pass is led by whichever gets the partition lock (and,
 * for cohorts, the cohort refresh lock), so there is always a leader while any worker lives
 * and never two at once.
 */
export class MaintenanceLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: MaintenanceLoopOptions) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
  }

  private async pass(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'sounder-maintenance' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const result = await maintainPartitions(client, new Date(), this.options.clickhouse);
      if (result.createdWeeks.length > 0 || result.droppedTables.length > 0 || result.deletedRows > 0 || result.recovered !== 'none') {
        this.options.log.info(result, 'partition maintenance');
      }
      const cohorts = await refreshStaleCohorts(client, this.options.cohortRefreshSeconds, this.options.clickhouse);
      if (cohorts.length > 0) this.options.log.info({ cohorts }, 'cohorts recomputed');
      const lake = this.options.lakeExport;
      if (lake) {
        // Loaded only where export is on: DuckDB is a large native library.
        const { exportToLake } = await import('../lake/export-to-lake.ts');
        const exported = await exportToLake(this.options.databaseUrl, { destination: lake.dir, graceDays: lake.graceDays, clickhouse: this.options.clickhouse });
        if (exported.weeks.length > 0) this.options.log.info({ destination: exported.destination, weeks: exported.weeks.length, rows: exported.rows }, 'weeks exported to the data lake');
      }
    } catch (error) {
      if (!isDatabaseUnavailable(error)) this.options.log.warn({ err: (error as Error).message }, 'partition maintenance failed; retrying next pass');
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
