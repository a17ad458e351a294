import type { Command } from 'commander';
import { addMaterializedColumn, migrateClickHouse } from '../clickhouse/clickhouse-migrations.ts';
import { closeClickHouseStore, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { openConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { materializedColumn } from '../clickhouse/hot-properties.ts';
import { loadConfig } from '../config/config.ts';

async function withClickHouse<T>(work: (store: ClickHouseStore) => Promise<T>): Promise<T> {
  const store = openConfiguredClickHouse(loadConfig());
  if (!store) throw new Error('CLICKHOUSE_URL is not set: there is no ClickHouse events store');
  try {
    return await work(store);
  } finally {
    await closeClickHouseStore(store);
  }
}

/** `sounder clickhouse ...`: the ClickHouse events store's schema. */
export function registerClickHouseCommand(program: Command): void {
  const clickhouse = program.command('clickhouse').description('the ClickHouse events store (CLICKHOUSE_URL): its schema and hot property columns');
  clickhouse.command('migrate')
    .description('create or update the schema on every server CLICKHOUSE_URL lists (sounder start and sounder migrate do it too)')
    .action(async () => {
      const ran = await withClickHouse(migrateClickHouse);
      console.log(ran > 0 ? `applied ${ran} migration(s) over all servers` : 'ClickHouse schema is up to date');
    });
  clickhouse.command('materialize')
    .description('give an event property a column of its own on every server, so filters and breakdowns on it read that column instead of every property (new events fill it as they arrive; older parts compute it when read)')
    .argument('<property>', 'the event property key, e.g. plan or $screen_name')
    .action(async (property: string) => {
      if (property.length === 0 || property.length > 400) throw new Error('the property key must be 1 to 400 characters');
      const added = await withClickHouse(async (store) => {
        let any = false;
        for (const node of store.nodes) any = (await addMaterializedColumn(store, node, property)) || any;
        return any;
      });
      console.log(added ? `materialized ${JSON.stringify(property)} as column ${materializedColumn(property)}` : `${JSON.stringify(property)} is already materialized (${materializedColumn(property)})`);
    });
}
