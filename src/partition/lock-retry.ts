import { runQuery, type Connection } from '../db/pool.ts';

const lockNotAvailable = '55P03';

/** `waitMs` adds up every attempt's wait: inserts queued behind each of them. */
export interface LockedResult<T> { value: T; waitMs: number; holdMs: number; attempts: number }

/**
 * Runs `work` in a transaction whose first step, `lock`, may queue behind other sessions. While
 * it waits, every insert queues behind it, so the wait is capped at `timeoutMs` and the attempt
 * retried after a pause: ingestion never stalls longer than one timeout.
 */
export async function withShortLock<T>(db: Connection, options: { tag: string; timeoutMs: number; attempts: number; lock: string },
  work: () => Promise<T>, beforeAttempt?: () => Promise<void>): Promise<LockedResult<T>> {
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    if (beforeAttempt) await beforeAttempt();
    await runQuery(db, options.tag, 'BEGIN');
    let asked = performance.now();
    let granted: number | undefined;
    try {
      await runQuery(db, options.tag, `SET LOCAL lock_timeout = '${Math.round(options.timeoutMs)}ms'`);
      asked = performance.now();
      await runQuery(db, options.tag, options.lock);
      granted = performance.now();
      const value = await work();
      await runQuery(db, options.tag, 'COMMIT');
      return { value, waitMs: waitedMs + granted - asked, holdMs: performance.now() - granted, attempts: attempt };
    } catch (error) {
      waitedMs += (granted ?? performance.now()) - asked;
      await runQuery(db, options.tag, 'ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code !== lockNotAvailable || attempt >= options.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
    }
  }
}
