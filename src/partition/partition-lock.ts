import { runQuery, type Queryable } from '../db/pool.ts';

// Held by a conversion for its whole run and by a maintenance pass while it runs, so the two
// never change the layout at once and only one worker maintains partitions at a time.
const partitionLockKey = 7_262_019_003;

/** Session lock; waits up to `waitMs` (a maintenance pass takes seconds), then explains who holds it. */
export async function acquirePartitionLock(db: Queryable, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryPartitionLock(db)) return;
    if (Date.now() > deadline) {
      const { rows } = await runQuery<{ pid: number; application_name: string }>(db, 'partition.lock_holder',
        `SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, [partitionLockKey]);
      const holder = rows[0] ? ` (held by ${rows[0].application_name || 'a session'}, pid ${rows[0].pid})` : '';
      throw new Error(`another \`sounder partition\` or the partition maintenance is running${holder}; try again when it is done`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function tryPartitionLock(db: Queryable): Promise<boolean> {
  const { rows } = await runQuery<{ locked: boolean }>(db, 'partition.try_lock', 'SELECT pg_try_advisory_lock($1) AS locked', [partitionLockKey]);
  return rows[0]!.locked;
}

export async function releasePartitionLock(db: Queryable): Promise<void> {
  await runQuery(db, 'partition.unlock', 'SELECT pg_advisory_unlock($1)', [partitionLockKey]);
}

/** True while some session (a conversion, or a maintenance pass) holds the lock. */
export async function isPartitionLockHeld(db: Queryable): Promise<boolean> {
  const { rows } = await runQuery<{ held: boolean }>(db, 'partition.lock_held',
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
       AND ((classid::bigint << 32) | objid::bigint) = $1) AS held`, [partitionLockKey]);
  return rows[0]!.held;
}
