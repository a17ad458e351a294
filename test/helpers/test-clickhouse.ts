import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { clickHouseIdentifier } from '../../src/clickhouse/clickhouse-literal.ts';
import { migrateClickHouse } from '../../src/clickhouse/clickhouse-migrations.ts';
import { closeClickHouseStore, openClickHouseStore, type ClickHouseStore } from '../../src/clickhouse/clickhouse-store.ts';
import { sharedChdbConnection } from './chdb-connection.ts';

/** `urls`: the cluster's servers, for a command run as another process. */
export interface TestClickHouse { store: ClickHouseStore; urls?: string[]; drop(): Promise<void> }

/**
 * Which events store the shared insight suites run against: TEST_EVENTS_STORE=cluster (the
 * two-shard ClickHouse 18.16 cluster global-setup starts), chdb (current ClickHouse in
 * process), or unset (Postgres only).
 */
export function testEventsStore(): 'cluster' | 'chdb' | undefined {
  const store = process.env.TEST_EVENTS_STORE;
  if (store === undefined || store === '' || store === 'postgres') return undefined;
  if (store !== 'cluster' && store !== 'chdb') throw new Error(`TEST_EVENTS_STORE=${store}: expected cluster, chdb or postgres`);
  return store;
}

/** A fresh, migrated ClickHouse database of this test's own, on the store `kind`. */
export async function createTestClickHouse(kind: 'cluster' | 'chdb'): Promise<TestClickHouse> {
  const database = `sounder_test_${randomBytes(6).toString('hex')}`;
  if (kind === 'chdb') {
    const node = sharedChdbConnection();
    const store: ClickHouseStore = { database, primary: node, nodes: [node] };
    await migrateClickHouse(store);
    return { store, drop: () => node.command(`DROP DATABASE IF EXISTS ${clickHouseIdentifier(database)}`) };
  }
  const cluster = inject('clickhouseCluster');
  if (!cluster) throw new Error('TEST_EVENTS_STORE=cluster, but global-setup started no ClickHouse cluster');
  const store = openClickHouseStore({ urls: cluster.urls, cluster: cluster.cluster, database });
  await migrateClickHouse(store);
  return {
    store,
    urls: cluster.urls,
    drop: async () => {
      for (const node of store.nodes) await node.command(`DROP DATABASE IF EXISTS ${clickHouseIdentifier(database)}`);
      await closeClickHouseStore(store);
    },
  };
}
