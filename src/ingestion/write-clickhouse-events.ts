import { clickHouseLiteral } from '../clickhouse/clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { clickHouseEventRow } from '../clickhouse/event-rows.ts';
import type { BufferedEvent } from './buffered-batch.ts';

// The window a stored copy of an event is looked for in, as in write-events.ts.
const duplicateWindowMs = 86_400_000;

/**
 * The uuids of these events that ClickHouse already holds. A worker that dies after its
 * ClickHouse insert but before its Postgres commit leaves the batch in the buffer; the next
 * attempt finds its rows here and does not insert them again. The probe reads the uuid column
 * of the batch's projects and days only (the leading keys of the table's order); uuids compare
 * as text because 18.16 takes no UUID values in an IN list.
 */
export async function findClickHouseEvents(store: ClickHouseStore, rows: BufferedEvent[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const times = rows.map((row) => row.timestamp.getTime());
  const from = new Date(Math.min(...times) - duplicateWindowMs);
  const to = new Date(Math.max(...times) + duplicateWindowMs);
  const found = await store.primary.query<{ uuid: string }>(`SELECT toString(uuid) AS uuid FROM ${clickHouseTable(store, 'events')}
    WHERE project_id IN (${[...new Set(rows.map((row) => row.projectId))].map(clickHouseLiteral).join(', ')})
      AND toDate(timestamp) >= toDate(${clickHouseLiteral(from)}) AND toDate(timestamp) <= toDate(${clickHouseLiteral(to)})
      AND toString(uuid) IN (${rows.map((row) => clickHouseLiteral(row.uuid)).join(', ')})`);
  return new Set(found.map((row) => row.uuid));
}

/** Inserts the batch's events not already there, in one INSERT through the Distributed table. */
export async function writeClickHouseEvents(store: ClickHouseStore, rows: BufferedEvent[]): Promise<number> {
  const stored = await findClickHouseEvents(store, rows);
  const fresh = rows.filter((row) => !stored.has(row.uuid));
  await store.primary.insert(clickHouseTable(store, 'events'), fresh.map(clickHouseEventRow));
  return fresh.length;
}
