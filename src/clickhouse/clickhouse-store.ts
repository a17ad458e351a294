import { clickHouseIdentifier } from './clickhouse-literal.ts';
import { httpClickHouse, type ClickHouseConnection } from './clickhouse-connection.ts';

/**
 * Where events live when Sounder runs past Postgres. `primary` takes inserts and queries (through
 * the Distributed table when there is a cluster); every node gets the schema and a whole copy of
 * persons and person overrides, so the joins a query makes run on each shard against local rows.
 */
export interface ClickHouseStore {
  database: string;
  /** The `remote_servers` cluster the Distributed table spans; none for a single server. */
  cluster?: string;
  primary: ClickHouseConnection;
  nodes: ClickHouseConnection[];
}

export interface ClickHouseSettings { urls: string[]; cluster?: string; database: string }

/** `CLICKHOUSE_URL` lists the nodes, comma-separated; the first is the one Sounder sends inserts and queries to. */
export function parseClickHouseUrls(text: string): string[] {
  const urls = text.split(',').map((url) => url.trim()).filter(Boolean);
  for (const url of urls) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`CLICKHOUSE_URL: ${url} is not an http(s) URL`);
  }
  if (urls.length === 0) throw new Error('CLICKHOUSE_URL names no server');
  return urls;
}

export function openClickHouseStore(settings: ClickHouseSettings): ClickHouseStore {
  clickHouseIdentifier(settings.database);
  const nodes = settings.urls.map(httpClickHouse);
  return { database: settings.database, cluster: settings.cluster, primary: nodes[0]!, nodes };
}

export async function closeClickHouseStore(store: ClickHouseStore): Promise<void> {
  await Promise.all(store.nodes.map((node) => node.close()));
}

/** A table of the store's database, quoted. */
export function clickHouseTable(store: ClickHouseStore, table: string): string {
  return `${clickHouseIdentifier(store.database)}.${clickHouseIdentifier(table)}`;
}

/** The table that holds this node's own events: the shard table under a cluster, else `events` itself. */
export function localEventsTable(store: ClickHouseStore): string {
  return clickHouseTable(store, localEventsTableName(store));
}

export function localEventsTableName(store: ClickHouseStore): string {
  return store.cluster ? 'events_local' : 'events';
}

/**
 * The table that holds this node's person activity (which persons did which event in each
 * quarter hour, kept from its events by a materialized view): under a cluster the shard table,
 * read through the Distributed `person_activity`.
 */
export function localActivityTableName(store: ClickHouseStore): string {
  return store.cluster ? 'person_activity_local' : 'person_activity';
}
