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
 * attempt finds its rows here and does not insert them again (nor does a client's resend of
 * an event stored a while ago). The probe reads the uuid column
 * of the batch's projects and days only (the leading keys of the table's order); uuids compare
 * as text because 18.16 takes no UUID values in an IN list.
 */
export async function findClickHouseEvents(store: ClickHouseStore, rows: BufferedEvent[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  // In chunks: ClickHouse refuses a query text over max_query_size (256 KiB by default).
  for (let start = 0; start < rows.length; start += probeChunk) {
    const chunk = rows.slice(start, start + probeChunk);
    const times = chunk.map((row) => row.timestamp.getTime());
    const from = new Date(times.reduce((a, b) => Math.min(a, b)) - duplicateWindowMs);
    const to = new Date(times.reduce((a, b) => Math.max(a, b)) + duplicateWindowMs);
    const stored = await store.primary.query<{ uuid: string; buffer_id: string }>(`SELECT toString(uuid) AS uuid, buffer_id FROM ${clickHouseTable(store, 'events')}
      WHERE project_id IN (${[...new Set(chunk.map((row) => row.projectId))].map(clickHouseLiteral).join(', ')})
        AND toDate(timestamp) >= toDate(${clickHouseLiteral(from)}) AND toDate(timestamp) <= toDate(${clickHouseLiteral(to)})
        AND toString(uuid) IN (${chunk.map((row) => clickHouseLiteral(row.uuid)).join(', ')})`);
    for (const row of stored) found.set(row.uuid, Number(row.buffer_id));
  }
  return found;
}

export interface ClickHouseBatch {
  /** The events to process: not stored yet, or stored by an attempt at this batch that did not commit. */
  events: BufferedEvent[];
  /** Those of them to insert. */
  fresh: BufferedEvent[];
}

/**
 * Sorts a batch against what ClickHouse holds. An event stored from the same buffer row was
 * inserted by an attempt whose Postgres commit failed: its person changes were rolled back, so
 * it is processed again but not inserted. One stored from another row is a client's resend of
 * an event already processed: it is dropped, as on Postgres.
 */
export async function sortClickHouseBatch(store: ClickHouseStore, rows: BufferedEvent[]): Promise<ClickHouseBatch> {
  const stored = await findClickHouseEvents(store, rows);
  if (stored.size === 0) return { events: rows, fresh: rows };
  const events = rows.filter((row) => !stored.has(row.uuid) || stored.get(row.uuid) === row.bufferId);
  return { events, fresh: events.filter((row) => !stored.has(row.uuid)) };
}

/** Inserts events in one INSERT through the Distributed table. */
export async function insertClickHouseEvents(store: ClickHouseStore, rows: BufferedEvent[]): Promise<void> {
  await store.primary.insert(clickHouseTable(store, 'events'), rows.map(clickHouseEventRow));
}
