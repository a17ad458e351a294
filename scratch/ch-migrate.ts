import { openClickHouseStore, closeClickHouseStore } from '../src/clickhouse/clickhouse-store.ts';
import { migrateClickHouse } from '../src/clickhouse/clickhouse-migrations.ts';
const store = openClickHouseStore({ urls: ['http://127.0.0.1:18123', 'http://127.0.0.1:18124'], cluster: 'sounder', database: 'scratch1' });
console.log(await migrateClickHouse(store));
console.log(await migrateClickHouse(store));
console.log(await store.primary.query('SELECT name, type, default_kind FROM system.columns WHERE database = \'scratch1\' AND table = \'events\''));
await closeClickHouseStore(store);
