import { deleteAndWait } from './clickhouse-mutations.ts';
import type { ClickHouseConnection } from './clickhouse-connection.ts';
import { clickHouseTable, localActivityTableName, localEventsTable, type ClickHouseStore } from './clickhouse-store.ts';

/** Rows of person activity for a node's own events that pass `condition`: each (project, event, quarter hour, person) once. */
export function activityFromEvents(store: ClickHouseStore, condition: string): string {
  return `SELECT project_id, event, toStartOfFifteenMinutes(timestamp) AS quarter, person_id FROM ${localEventsTable(store)}
WHERE ${condition} GROUP BY project_id, event, quarter, person_id`;
}

/**
 * After events were deleted from a node: its activity rows in `activityScope` are dropped and
 * made again from the events left in `eventScope` (which must hold every event those rows
 * came from). The view only ever adds rows, so deletes of events have to be followed by this.
 */
export async function rebuildPersonActivity(node: ClickHouseConnection, store: ClickHouseStore, activityScope: string, eventScope: string): Promise<void> {
  const table = localActivityTableName(store);
  await deleteAndWait(node, store, table, activityScope);
  await node.command(`INSERT INTO ${clickHouseTable(store, table)} (project_id, event, quarter, person_id) ${activityFromEvents(store, eventScope)}`);
}
