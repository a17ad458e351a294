import type { Queryable } from '../db/pool.ts';
import { readBufferBacklog } from '../ingestion/buffer-backlog.ts';

export interface BacklogLimits { maxEvents: number; maxSeconds: number }

const checkEveryMs = 1000;

/**
 * Back-pressure: while the buffer holds more events than the limit, or its oldest row is older
 * than the limit, capture refuses with 503 so SDKs keep events and retry later. Checked at most
 * once a second per web process, off the request path, and lifted as soon as workers catch up.
 */
export class BacklogGuard {
  private overLimit: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Queryable, private readonly limits: BacklogLimits) {}

  start(): void {
    const tick = async () => {
      await this.check().catch(() => undefined);
      this.timer = setTimeout(tick, checkEveryMs);
      this.timer.unref();
    };
    void tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Why capture is refused right now, or undefined when it is not. */
  get refusal(): string | undefined {
    return this.overLimit;
  }

  async check(): Promise<void> {
    const backlog = await readBufferBacklog(this.db);
    if (backlog.events > this.limits.maxEvents) {
      this.overLimit = `${backlog.events} events wait for ingestion (limit ${this.limits.maxEvents})`;
    } else if (backlog.oldest_age_seconds > this.limits.maxSeconds) {
      this.overLimit = `the oldest waiting event arrived ${Math.round(backlog.oldest_age_seconds)} s ago (limit ${this.limits.maxSeconds} s)`;
    } else {
      this.overLimit = undefined;
    }
  }
}
