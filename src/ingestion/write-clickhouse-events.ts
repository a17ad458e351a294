import { clickHouseLiteral } from '../clickhouse/clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { clickHouseEventRow } from '../clickhouse/event-rows.ts';
import type { BufferedEvent } from './buffered-batch.ts';

// The window a stored copy of an event is looked for in, as in write-events.ts.
const duplicateWindowMs = 86_400_000;
const probeChunk = 2000;

/**
 * The uuids of these events that ClickHouse already holds. A worker that dies after its
 * ClickHouse insert but before its Postgres commit leaves the batch in the buffer; the next
 * attempt finds its rows here and does not insert them again. The probe reads the uuid column
 * of the batch's projects and days only (the leading keys of the table's order); uuids compare
 * as text because 18.16 takes no UUID values in an IN list.
 */
export async function findClickHouseEvents(store: ClickHouseStore, rows: BufferedEvent[]): Promise<Set<string>> {
  const found = new Set<string>();
  // In chunks: ClickHouse refuses a query text over max_query_size (256 KiB by default).
  for (let start = 0; start < rows.length; start += probeChunk) {
    const chunk = rows.slice(start, start + probeChunk);
    const times = chunk.map((row) => row.timestamp.getTime());
    const from = new Date(times.reduce((a, b) => Math.min(a, b)) - duplicateWindowMs);
    const to = new Date(times.reduce((a, b) => Math.max(a, b)) + duplicateWindowMs);
    const stored = await store.primary.query<{ uuid: string }>(`SELECT toString(uuid) AS uuid FROM ${clickHouseTable(store, 'events')}
      WHERE project_id IN (${[...new Set(chunk.map((row) => row.projectId))].map(clickHouseLiteral).join(', ')})
        AND toDate(timestamp) >= toDate(${clickHouseLiteral(from)}) AND toDate(timestamp) <= toDate(${clickHouseLiteral(to)})
        AND toString(uuid) IN (${chunk.map((row) => clickHouseLiteral(row.uuid)).join(', ')})`);
    for (const row of stored) found.add(row.uuid);
  }
  return found;
}

/** Inserts the batch's events not already there, in one INSERT through the Distributed table. */
export async function writeClickHouseEvents(store: ClickHouseStore, rows: BufferedEvent[]): Promise<number> {
  const stored = await findClickHouseEvents(store, rows);
  const fresh = rows.filter((row) => !stored.has(row.uuid));
  await store.primary.insert(clickHouseTable(store, 'events'), fresh.map(clickHouseEventRow));
  return fresh.length;
}
