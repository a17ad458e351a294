import type { Config } from '../config/config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { createPool, type Pool } from '../db/pool.ts';

/** Finds the database (starting the embedded one if needed), migrates it, runs `work`, and cleans up. */
export async function withDatabase<T>(config: Config, work: (pool: Pool, url: string) => Promise<T>): Promise<T> {
  const handle = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const pool = createPool(handle.url, 2, 'sounder-cli');
  try {
    await migrate(handle.url);
    return await work(pool, handle.url);
  } finally {
    await pool.end();
    await handle.release();
  }
}
