import { clickHouseString } from './clickhouse-literal.ts';
import type { ClickHouseConnection } from './clickhouse-connection.ts';
import { clickHouseTable, type ClickHouseStore } from './clickhouse-store.ts';

const mutationWaitMs = 120_000;

/**
 * Runs `ALTER TABLE ... DELETE WHERE` on one node and waits until the mutation has rewritten
 * every part: ClickHouse applies deletes in the background, and 18.16 cannot be asked to wait
 * (no mutations_sync), so the node's system.mutations is watched instead.
 */
export async function deleteAndWait(node: ClickHouseConnection, store: ClickHouseStore, table: string, condition: string): Promise<void> {
  await node.command(`ALTER TABLE ${clickHouseTable(store, table)} DELETE WHERE ${condition}`);
  const deadline = Date.now() + mutationWaitMs;
  for (;;) {
    const [pending] = await node.query<{ n: string }>(`SELECT count() AS n FROM system.mutations
      WHERE database = ${clickHouseString(store.database)} AND table = ${clickHouseString(table)} AND is_done = 0`);
    if (Number(pending?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`ClickHouse did not finish deleting from ${table} within ${mutationWaitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
