import cluster from 'node:cluster';
import type { Config } from '../config/config.ts';
import { openDatabase } from '../db/open-database.ts';
import { onShutdown } from './shutdown.ts';
import { superviseGroup } from './supervisor.ts';

/**
 * For `--processes N`: in the first process, finds the database once (starting the embedded
 * one if needed), forks N copies of the same command with its URL (web copies share one
 * listening port through Node's cluster module) and supervises them; resolves true there.
 * In a copy, resolves false and the command runs as a single process.
 */
export async function runAsClusterPrimary(role: string, processes: number, config: Config): Promise<boolean> {
  if (processes <= 1 || !cluster.isPrimary) return false;
  const handle = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const group = superviseGroup(Array.from({ length: processes }, (_, i) => ({
    name: `sounder ${role} ${i + 1}/${processes}`,
    launch: () => cluster.fork({ DATABASE_URL: handle.url }).process,
  })), () => handle.release());
  onShutdown(async () => {
    await group.stopAll();
    await handle.release();
  });
  return true;
}
