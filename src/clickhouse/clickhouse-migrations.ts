import { clickHouseIdentifier, clickHouseString } from './clickhouse-literal.ts';
import { activityFromEvents } from './person-activity.ts';
import { clickHouseTable, localActivityTableName, localEventsTable, localEventsTableName, type ClickHouseStore } from './clickhouse-store.ts';
import type { ClickHouseConnection } from './clickhouse-connection.ts';
import { hotProperties, materializedColumn, materializedColumnDefinition } from './hot-properties.ts';

interface ClickHouseMigration { version: number; name: string; apply(store: ClickHouseStore, node: ClickHouseConnection): Promise<void> }

const eventColumns = `project_id UInt32,
  uuid UUID,
  event String,
  distinct_id String,
  person_id UUID,
  timestamp DateTime('UTC'),
  timestamp_ms UInt16,
  prop_keys Array(String),
  prop_values Array(String),
  elements_chain String,
  inserted_at DateTime('UTC') DEFAULT now()`;

/**
 * The schema, applied to every node in order (ClickHouse 18.16 has no ON CLUSTER without
 * ZooKeeper). Events: ReplacingMergeTree ordered by project, day, event, distinct-id hash and
 * uuid, so a copy stored twice (a worker that died between its insert and its commit) folds
 * away on merge; the worker's probe keeps such copies from being written in the first place.
 * Properties are parallel key/value arrays of the values' text: exact on every ClickHouse
 * version (18.16 has no JSON functions that tell a top-level key from a nested one).
 */
const migrations: ClickHouseMigration[] = [
  {
    version: 1,
    name: 'events, persons and person overrides',
    async apply(store, node) {
      const local = `CREATE TABLE IF NOT EXISTS ${localEventsTable(store)} (
  ${eventColumns}
) ENGINE = ReplacingMergeTree
PARTITION BY toMonday(timestamp)
ORDER BY (project_id, toDate(timestamp), event, cityHash64(distinct_id), uuid)`;
      const distributed = store.cluster
        ? [`CREATE TABLE IF NOT EXISTS ${clickHouseTable(store, 'events')} AS ${localEventsTable(store)}
ENGINE = Distributed(${clickHouseIdentifier(store.cluster)}, ${clickHouseIdentifier(store.database)}, events_local, cityHash64(distinct_id))`]
        : [];
      for (const statement of [local, ...distributed,
        `CREATE TABLE IF NOT EXISTS ${clickHouseTable(store, 'persons')} (
  project_id UInt32, id UUID, prop_keys Array(String), prop_values Array(String), is_deleted UInt8, version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, id)`,
        `CREATE TABLE IF NOT EXISTS ${clickHouseTable(store, 'person_overrides')} (
  project_id UInt32, old_person_id UUID, override_person_id UUID, version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY (project_id, old_person_id)`]) await node.command(statement);
    },
  },
  {
    version: 2,
    name: 'materialized hot properties',
    async apply(store, node) {
      for (const key of hotProperties) await addMaterializedColumn(store, node, key);
    },
  },
  {
    version: 3,
    name: 'when each person was created (lifecycle tells new persons by it)',
    async apply(store, node) {
      if (!await hasColumn(node, store, 'persons', 'created_at')) await node.command(`ALTER TABLE ${clickHouseTable(store, 'persons')} ADD COLUMN created_at Nullable(DateTime('UTC'))`);
    },
  },
  {
    version: 4,
    name: 'cohort members, a whole copy on every node, one generation per computation',
    async apply(store, node) {
      await node.command(`CREATE TABLE IF NOT EXISTS ${clickHouseTable(store, 'cohort_people')} (
  project_id UInt32, cohort_id UInt32, person_id UUID, generation UInt64
) ENGINE = MergeTree ORDER BY (project_id, cohort_id, generation, person_id)`);
    },
  },
  {
    version: 5,
    name: 'the type of each property value and the keys sent as null, so events read back as they were sent; the buffer row of each event',
    async apply(store, node) {
      for (const table of eventTableNames(store)) {
        for (const [column, type] of [['prop_types', 'Array(UInt8)'], ['prop_null_keys', 'Array(String)'], ['buffer_id', 'UInt64']] as const) {
          if (!await hasColumn(node, store, table, column)) await node.command(`ALTER TABLE ${clickHouseTable(store, table)} ADD COLUMN ${column} ${type}`);
        }
      }
    },
  },
  {
    version: 6,
    name: 'person activity: which persons did which event in each quarter hour, kept by a materialized view of each shard\'s events',
    async apply(store, node) {
      const local = clickHouseTable(store, localActivityTableName(store));
      // ReplacingMergeTree: a row written twice (an event stored twice, the view created while
      // events arrived) folds away; the table says who was active, never how often.
      await node.command(`CREATE TABLE IF NOT EXISTS ${local} (project_id UInt32, event String, quarter DateTime('UTC'), person_id UUID)
ENGINE = ReplacingMergeTree PARTITION BY toMonday(quarter) ORDER BY (project_id, event, quarter, person_id)`);
      if (store.cluster) {
        await node.command(`CREATE TABLE IF NOT EXISTS ${clickHouseTable(store, 'person_activity')} AS ${local}
ENGINE = Distributed(${clickHouseIdentifier(store.cluster)}, ${clickHouseIdentifier(store.database)}, ${clickHouseIdentifier(localActivityTableName(store))})`);
      }
      // The view first, then the events already stored: one that arrives in between is in both,
      // and folds away (as does all of it when a migration cut short runs again).
      await node.command(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${clickHouseTable(store, 'person_activity_view')} TO ${local} AS ${activityFromEvents(store, '1')}`);
      await node.command(`INSERT INTO ${local} (project_id, event, quarter, person_id) ${activityFromEvents(store, '1')}`);
    },
  },
];

// 18.16 has no ADD COLUMN IF NOT EXISTS, and a migration cut short must be able to run again.
async function hasColumn(node: ClickHouseConnection, store: ClickHouseStore, table: string, column: string): Promise<boolean> {
  const [present] = await node.query<{ n: string }>(`SELECT count() AS n FROM system.columns
    WHERE database = ${clickHouseString(store.database)} AND table = ${clickHouseString(table)} AND name = ${clickHouseString(column)}`);
  return Number(present?.n) > 0;
}

/**
 * Adds a property's column to a node's event tables, skipping a table that has it. Returns
 * whether it added any.
 */
export async function addMaterializedColumn(store: ClickHouseStore, node: ClickHouseConnection, key: string): Promise<boolean> {
  let added = false;
  for (const table of eventTableNames(store)) {
    if (await hasColumn(node, store, table, materializedColumn(key))) continue;
    await node.command(`ALTER TABLE ${clickHouseTable(store, table)} ADD COLUMN ${materializedColumnDefinition(key)}`);
    added = true;
  }
  return added;
}

/** The tables a column of events is added to: the shard table and the Distributed table over it. */
export function eventTableNames(store: ClickHouseStore): string[] {
  return [...new Set([localEventsTableName(store), 'events'])];
}

async function appliedVersions(node: ClickHouseConnection, store: ClickHouseStore): Promise<Set<number>> {
  const rows = await node.query<{ version: number }>(`SELECT version FROM ${clickHouseTable(store, 'sounder_migrations')}`);
  return new Set(rows.map((row) => Number(row.version)));
}

/** Brings every node to the newest schema; returns how many migrations ran, over all nodes. */
export async function migrateClickHouse(store: ClickHouseStore): Promise<number> {
  let ran = 0;
  for (const node of store.nodes) {
    await node.command(`CREATE DATABASE IF NOT EXISTS ${clickHouseIdentifier(store.database)}`);
    await node.command(`CREATE TABLE IF NOT EXISTS ${clickHouseTable(store, 'sounder_migrations')} (version UInt32, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version`);
    const applied = await appliedVersions(node, store);
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await migration.apply(store, node);
      await node.insert(clickHouseTable(store, 'sounder_migrations'), [{ version: migration.version }]);
      ran++;
    }
  }
  return ran;
}
