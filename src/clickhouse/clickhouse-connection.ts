import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';

/** What Sounder needs from one ClickHouse server: rows of a query, a statement, a bulk insert. */
export interface ClickHouseConnection {
  query<Row>(sql: string): Promise<Row[]>;
  command(sql: string): Promise<void>;
  /**
   * One INSERT of all `rows` (JSONEachRow), naming the first row's keys as its columns: 18.16
   * fills an unnamed column with its type's zero, a named list lets DEFAULT expressions run.
   */
  insert(table: string, rows: object[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A ClickHouse server over HTTP through the official client. Only settings that ClickHouse
 * 18.16 knows are sent; `insert_distributed_sync` makes an insert through a Distributed table
 * return once every shard holds its rows, which the worker's duplicate probe relies on.
 */
export function httpClickHouse(url: string): ClickHouseConnection {
  const client: ClickHouseClient = createClient({
    url, request_timeout: 300_000, compression: { request: false, response: false },
    // Failures reach the caller as errors; the client's own log would print them twice.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return {
    async query<Row>(sql: string) {
      const result = await client.query({ query: sql, format: 'JSONEachRow' });
      return result.json<Row>();
    },
    async command(sql: string) {
      await client.command({ query: sql });
    },
    async insert(table: string, rows: object[]) {
      if (rows.length === 0) return;
      await client.insert({ table, values: rows, columns: Object.keys(rows[0]!) as [string, ...string[]], format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 } });
    },
    close: () => client.close(),
  };
}
