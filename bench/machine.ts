import os from 'node:os';
import type { Pool } from '../src/db/pool.ts';

export interface MachineInfo { cores: number; memoryGiB: number; cpu: string; node: string; postgres: string }

export async function describeMachine(pool: Pool): Promise<MachineInfo> {
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    postgres: rows[0]!.server_version,
  };
}
