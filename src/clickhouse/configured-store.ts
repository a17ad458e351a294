import type { Config } from '../config/config.ts';
import { migrateClickHouse } from './clickhouse-migrations.ts';
import { closeClickHouseStore, openClickHouseStore, parseClickHouseUrls, type ClickHouseStore } from './clickhouse-store.ts';

/** The ClickHouse events store CLICKHOUSE_URL names, or undefined when events stay in Postgres only. */
export function openConfiguredClickHouse(config: Config): ClickHouseStore | undefined {
  if (!config.clickhouseUrl) return undefined;
  const urls = parseClickHouseUrls(config.clickhouseUrl);
  if (urls.length > 1 && !config.clickhouseCluster) throw new Error('CLICKHOUSE_URL lists several servers: set CLICKHOUSE_CLUSTER to the remote_servers cluster they form');
  return openClickHouseStore({ urls, cluster: config.clickhouseCluster, database: config.clickhouseDatabase });
}

/** Brings the configured ClickHouse store's schema up to date (nothing when there is none). */
export async function migrateConfiguredClickHouse(config: Config): Promise<void> {
  await withConfiguredClickHouse(config, async (store) => {
    if (store) await migrateClickHouse(store);
  });
}

/** Runs `work` with the configured ClickHouse store (undefined when there is none), closing it afterwards. */
export async function withConfiguredClickHouse<T>(config: Config, work: (store: ClickHouseStore | undefined) => Promise<T>): Promise<T> {
  const store = openConfiguredClickHouse(config);
  try {
    return await work(store);
  } finally {
    if (store) await closeClickHouseStore(store);
  }
}
