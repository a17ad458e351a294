import fs from 'node:fs';
import type { Pool } from '../../src/db/pool.ts';

/**
 * Samples the resident memory of the workers on this machine (found through their database
 * sessions, whose application_name carries host and pid) to show whether it stays flat.
 */
export class WorkerMemorySampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: Pool) {}

  start(everyMs = 1000): void {
    this.timer = setInterval(() => void this.sample(), everyMs);
  }

  stop(): { samples: number; firstMiB: number; maxMiB: number; lastMiB: number } {
    clearInterval(this.timer);
    const mib = (bytes: number | undefined) => Math.round((bytes ?? 0) / 2 ** 20);
    return { samples: this.samples.length, firstMiB: mib(this.samples[0]), maxMiB: mib(Math.max(0, ...this.samples)), lastMiB: mib(this.samples.at(-1)) };
  }

  latestMiB(): number {
    return Math.round((this.samples.at(-1) ?? 0) / 2 ** 20);
  }

  private async sample(): Promise<void> {
    const { rows } = await this.pool.query<{ application_name: string }>(
      "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'sounder-worker %'").catch(() => ({ rows: [] }));
    let total = 0;
    for (const row of rows) {
      const pid = /-(\d+)-[0-9a-f]+$/.exec(row.application_name)?.[1];
      if (!pid) continue;
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        // Worker on another machine, or gone: nothing to read here.
      }
    }
    if (total > 0) this.samples.push(total);
  }
}
