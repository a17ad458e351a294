import { clickHouseTable } from '../../src/clickhouse/clickhouse-store.ts';
import { runQuery } from '../../src/db/pool.ts';
import { eventRecordOf, storedEventColumns, type StoredEventRow } from '../../src/query/clickhouse/clickhouse-list-events.ts';
import type { TestServer } from './test-server.ts';

export interface StoredEvent { uuid: string; project_id: number; event: string; distinct_id: string; properties: Record<string, unknown> }

/** Every event the test server's events store holds, of every project: Postgres' events, or ClickHouse's when it is the store. */
export async function storedEvents(server: TestServer): Promise<StoredEvent[]> {
  if (server.clickhouse) {
    const rows = await server.clickhouse.primary.query<StoredEventRow & { project_id: number }>(
      `SELECT project_id, ${storedEventColumns('person_id')} FROM ${clickHouseTable(server.clickhouse, 'events')}`);
    return rows.map((row) => ({ ...eventRecordOf(row), project_id: Number(row.project_id) }));
  }
  const { rows } = await runQuery<StoredEvent>(server.db.pool, 'test.stored_events', 'SELECT uuid::text, project_id, event, distinct_id, properties FROM events');
  return rows;
}
