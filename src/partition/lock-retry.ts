import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';

const lockNotAvailable = '55P03';
const statementTimedOut = '57014';

export type LockMode = 'SHARE ROW EXCLUSIVE' | 'ACCESS EXCLUSIVE';

/**
 * `waitMs` adds up every attempt's wait for the last table, the live one: while that request
 * waits, inserts queue behind it. Waits for the tables before it hold up nobody.
 */
export interface LockedResult<T> {
  value: T; waitMs: number; holdMs: number; attempts: number;
  /** Who held the tables when an attempt gave up: backend type and the start of its query. */
  blockedBy: string[];
}

/** `tables` are locked in order, each with the same timeout; the live table goes last. */
export interface ShortLockOptions { tag: string; tables: string[]; mode: LockMode; timeoutMs: number; attempts: number }

// Sessions holding a lock on `table` or on any table under it (LOCK TABLE on a partitioned
// table locks every partition too).
const lockHoldersSql = `
  SELECT DISTINCT a.pid, a.backend_type, left(coalesce(a.query, ''), 120) AS query, a.query LIKE '%to prevent wraparound%' AS wraparound
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.granted AND a.pid <> pg_backend_pid() AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.relation IN (SELECT to_regclass($1) UNION ALL SELECT relid FROM pg_partition_tree(to_regclass($1)))`;

interface LockHolder { pid: number; backend_type: string; query: string; wraparound: boolean }

/**
 * Postgres cancels an autovacuum that blocks a lock request once the request has waited
 * deadlock_timeout (1 s). These lock requests give up sooner, so they do that part themselves,
 * before each attempt; a vacuum run to prevent wraparound is left alone.
 */
async function cancelBlockingAutovacuum(db: Connection, table: string): Promise<LockHolder[]> {
  const { rows } = await runQuery<LockHolder>(db, 'partition.lock_holders', lockHoldersSql, [quoteIdentifier(table)]);
  for (const holder of rows) {
    if (holder.backend_type === 'autovacuum worker' && !holder.wraparound) {
      await runQuery(db, 'partition.cancel_autovacuum', 'SELECT pg_cancel_backend($1)', [holder.pid]).catch(() => undefined);
    }
  }
  return rows;
}

/**
 * Runs `work` in a transaction that first locks `tables`. While a lock request waits, every
 * insert queues behind it, so the wait is capped at `timeoutMs` and the attempt retried after a
 * pause: ingestion never stalls longer than one timeout. `beforeAttempt` runs outside the
 * transaction before each try.
 */
export async function withShortLock<T>(db: Connection, options: ShortLockOptions, work: () => Promise<T>, beforeAttempt?: () => Promise<void>): Promise<LockedResult<T>> {
  let waitedMs = 0;
  const blockedBy: string[] = [];
  const live = options.tables.at(-1)!;
  // A waiting lock request makes Postgres cancel the autovacuum blocking it once it has waited
  // deadlock_timeout. A superuser (the embedded server's) can shorten that wait well below the
  // attempt's timeout, so an autovacuum that starts during the attempt is cancelled as well.
  const { rows: [role] } = await runQuery<{ superuser: boolean }>(db, options.tag, "SELECT current_setting('is_superuser') = 'on' AS superuser");
  const deadlockTimeoutMs = Math.max(10, Math.round(options.timeoutMs / 10));
  for (let attempt = 1; ; attempt++) {
    if (beforeAttempt) await beforeAttempt();
    for (const table of options.tables) await cancelBlockingAutovacuum(db, table);
    await runQuery(db, options.tag, 'BEGIN');
    let asked: number | undefined;
    let granted: number | undefined;
    try {
      // lock_timeout caps each lock a statement waits for; LOCK TABLE on a partitioned table
      // takes one lock per partition, so the statement as a whole is capped as well.
      await runQuery(db, options.tag, `SET LOCAL lock_timeout = '${Math.round(options.timeoutMs)}ms'`);
      await runQuery(db, options.tag, `SET LOCAL statement_timeout = '${Math.round(options.timeoutMs)}ms'`);
      if (role?.superuser) await runQuery(db, options.tag, `SET LOCAL deadlock_timeout = '${deadlockTimeoutMs}ms'`);
      for (const table of options.tables) {
        if (table === live) asked = performance.now();
        await runQuery(db, options.tag, `LOCK TABLE ${quoteIdentifier(table)} IN ${options.mode} MODE`);
      }
      granted = performance.now();
      await runQuery(db, options.tag, 'SET LOCAL statement_timeout = 0');
      if (role?.superuser) await runQuery(db, options.tag, 'SET LOCAL deadlock_timeout = DEFAULT');
      const value = await work();
      await runQuery(db, options.tag, 'COMMIT');
      return { value, waitMs: waitedMs + granted - asked!, holdMs: performance.now() - granted, attempts: attempt, blockedBy };
    } catch (error) {
      if (asked !== undefined) waitedMs += (granted ?? performance.now()) - asked;
      await runQuery(db, options.tag, 'ROLLBACK').catch(() => undefined);
      const code = (error as { code?: string }).code;
      if (code !== lockNotAvailable && !(code === statementTimedOut && granted === undefined)) throw error;
      const holders: LockHolder[] = [];
      for (const table of options.tables) holders.push(...await cancelBlockingAutovacuum(db, table));
      blockedBy.push(...holders.map((holder) => `${holder.backend_type}: ${holder.query.slice(0, 60)}`));
      if (attempt >= options.attempts) {
        const who = holders.map((holder) => `pid ${holder.pid} (${holder.backend_type}: ${holder.query})`).join('; ');
        throw new Error(`could not lock ${options.tables.join(', ')} in ${options.attempts} tries of ${options.timeoutMs} ms${who ? `; held by ${who}` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
    }
  }
}
