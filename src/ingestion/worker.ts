import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { isDatabaseUnavailable } from '../db/pool.ts';
import { deadLetterOldestRow } from './dead-letter.ts';
import { processBatch } from './process-batch.ts';
import { emptyWorkerStats } from './worker-stats.ts';
import { ShardOwnership } from './shard-ownership.ts';

export interface WorkerOptions {
  databaseUrl: string;
  batchEvents: number;
  pollMs: number;
  /** Events (and the persons they need) also go to this ClickHouse store. */
  clickhouse?: ClickHouseStore;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

const rebalanceEveryMs = 2000;
const maxIdleMs = 1000;
const retriableCodes = new Set(['40P01', '40001', '23505']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRetriable(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (error as { retriable?: boolean }).retriable === true || (code !== undefined && retriableCodes.has(code));
}

/** A running worker; `stop()` lets the batch in flight finish, then releases the shards. */
export class Worker {
  readonly id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private stopping = false;
  private done: Promise<void> | undefined;
  readonly stats = emptyWorkerStats();

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: `sounder-worker ${this.id}` });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await this.runSession(client as unknown as pg.PoolClient);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) this.options.log.error({ err: error }, 'worker session failed');
        else this.options.log.warn({ err: (error as Error).message }, 'worker lost the database; reconnecting');
        await sleep(1000);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  private async runSession(client: pg.PoolClient): Promise<void> {
    const ownership = new ShardOwnership(client, this.id);
    let lastRebalance = 0;
    let idleMs = this.options.pollMs;
    // After a failed batch, rows go one at a time for a while so a poison row is found and set aside.
    let isolateBatches = 0;
    try {
      while (!this.stopping) {
        if (Date.now() - lastRebalance > rebalanceEveryMs) {
          await ownership.rebalance(this.stats);
          lastRebalance = Date.now();
        }
        const shards = ownership.shards;
        if (shards.length === 0) {
          await sleep(rebalanceEveryMs);
          continue;
        }
        try {
          const started = performance.now();
          const result = await processBatch(client, shards, isolateBatches > 0 ? 1 : this.options.batchEvents, this.options.clickhouse);
          if (isolateBatches > 0) isolateBatches--;
          if (result.bufferRows > 0) {
            this.stats.events += result.written;
            this.stats.batches += 1;
            this.stats.batchSeconds += (performance.now() - started) / 1000;
            this.stats.personMerges += result.personMerges;
          }
          if (result.bufferRows === 0) {
            await sleep(idleMs);
            idleMs = Math.min(maxIdleMs, idleMs * 2);
          } else {
            idleMs = this.options.pollMs;
          }
        } catch (error) {
          if (isDatabaseUnavailable(error)) throw error;
          if (isRetriable(error)) {
            this.options.log.warn({ err: (error as Error).message }, 'batch conflicted with another worker; retrying');
            await sleep(50 + Math.random() * 200);
          } else if (isolateBatches === 0) {
            this.options.log.warn({ err: (error as Error).message }, 'batch failed; retrying its rows one at a time');
            isolateBatches = 20;
          } else {
            const id = await deadLetterOldestRow(client, shards, String((error as Error).stack ?? error));
            this.options.log.error({ err: error, bufferRow: id }, 'buffer row failed on its own; moved to ingestion_dead_letters');
            isolateBatches = 20;
          }
        }
      }
    } finally {
      await ownership.releaseAll();
    }
  }
}
