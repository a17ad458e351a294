import { runQuery, type PoolClient } from '../db/pool.ts';
import { shardCount } from './shards.ts';
import type { WorkerStats } from './worker-stats.ts';

// Advisory lock keys are (namespace, shard); the namespace keeps them apart from other locks.
const shardLockNamespace = 0x50_44_00;
const liveWorkerSeconds = 10;

/**
 * Shards are owned through session advisory locks held on the worker's own connection, the
 * same connection its write transactions run on. If the worker dies or its connection drops,
 * the locks vanish with any open transaction: that is the fence, and no other worker can
 * write a shard while its owner's session lives. Workers publish a heartbeat with their shard
 * count, so one holding more than its share gives shards back to a newcomer.
 */
export class ShardOwnership {
  private readonly owned = new Set<number>();

  constructor(private readonly client: PoolClient, private readonly workerId: string) {}

  get shards(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  async rebalance(stats: WorkerStats): Promise<void> {
    await runQuery(this.client, 'worker.heartbeat',
      `WITH gone AS (DELETE FROM workers WHERE heartbeat_at < now() - interval '1 hour')
       INSERT INTO workers (id, shards, events_total, batches_total, batch_seconds_total, person_merges_total)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), shards = excluded.shards, events_total = excluded.events_total,
         batches_total = excluded.batches_total, batch_seconds_total = excluded.batch_seconds_total,
         person_merges_total = excluded.person_merges_total`,
      [this.workerId, this.owned.size, stats.events, stats.batches, stats.batchSeconds, stats.personMerges]);
    const { rows: others } = await runQuery<{ shards: number }>(this.client, 'worker.live_workers',
      // Live: a recent heartbeat and a session still connected (a dead worker's row lingers).
      `SELECT w.shards FROM workers w
       WHERE w.id <> $1 AND w.heartbeat_at > now() - make_interval(secs => $2)
         AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = left('sounder-worker ' || w.id, 63))`,
      [this.workerId, liveWorkerSeconds]);
    const fairShare = Math.ceil(shardCount / (others.length + 1));

    // Give shards back only to a live worker that lacks its share; otherwise take every shard
    // nobody holds. A dead worker's locks vanish with its connection, so its shards are taken
    // at the next rebalance of any survivor, without waiting for its heartbeat to expire.
    if (this.owned.size > fairShare && others.some((worker) => worker.shards < fairShare)) {
      while (this.owned.size > fairShare) {
        const shard = this.shards.at(-1)!;
        await runQuery(this.client, 'worker.release_shard', 'SELECT pg_advisory_unlock($1, $2)', [shardLockNamespace, shard]);
        this.owned.delete(shard);
      }
      return;
    }
    // Take free shards only up to the fair share: otherwise a worker at its share would grab
    // the shards another just gave back to a newcomer, and the shares would never settle.
    const room = fairShare - this.owned.size;
    if (room <= 0) return;
    // One round trip for all free shards, tried from a different place per worker so joining
    // workers do not all fight for shard 0.
    const start = Math.abs(hashString(this.workerId)) % shardCount;
    const wanted = Array.from({ length: shardCount }, (_, step) => (start + step) % shardCount).filter((shard) => !this.owned.has(shard));
    if (wanted.length === 0) return;
    const { rows: got } = await runQuery<{ shard: number }>(this.client, 'worker.claim_shards',
      `SELECT shard FROM unnest($2::integer[]) WITH ORDINALITY AS wanted (shard, position)
       WHERE pg_try_advisory_lock($1, shard) ORDER BY position`,
      [shardLockNamespace, wanted]);
    const kept = got.slice(0, room).map((row) => row.shard);
    const surplus = got.slice(room).map((row) => row.shard);
    for (const shard of kept) this.owned.add(shard);
    if (surplus.length > 0) {
      await runQuery(this.client, 'worker.release_surplus', 'SELECT pg_advisory_unlock($1, shard) FROM unnest($2::integer[]) AS shard',
        [shardLockNamespace, surplus]);
    }
  }

  async releaseAll(): Promise<void> {
    await runQuery(this.client, 'worker.release_all', 'SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await runQuery(this.client, 'worker.unregister', 'DELETE FROM workers WHERE id = $1', [this.workerId]).catch(() => undefined);
    this.owned.clear();
  }
}

function hashString(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  return hash;
}
