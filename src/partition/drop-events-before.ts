import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { deleteEventsAndCounts, forgetCountsBefore } from '../rollups/event-counts.ts';
import { forgetPathSessionsBefore } from '../rollups/path-sessions.ts';
import { forgetActivityBefore } from '../rollups/person-activity.ts';
import { listEventTables } from './event-tables.ts';
import { weekOfTableName } from './partition-names.ts';
import { withShortLock } from './lock-retry.ts';
import { addWeeks } from './weeks.ts';

export interface DropResult { droppedTables: string[]; deletedRows: number }

const deleteChunk = 10_000;

async function deleteInChunks(db: Connection, table: string, cutoff: Date): Promise<number> {
  const name = quoteIdentifier(table);
  let deleted = 0;
  for (;;) {
    const { rows: [result] } = await runQuery<{ deleted: number }>(db, 'partition.delete_before', deleteEventsAndCounts(
      `DELETE FROM ONLY ${name} WHERE ctid IN (SELECT ctid FROM ONLY ${name} WHERE timestamp < $1 LIMIT ${deleteChunk}) RETURNING project_id, event, timestamp, properties`), [cutoff]);
    deleted += result!.deleted;
    if (result!.deleted < deleteChunk) return deleted;
  }
}

/**
 * Removes every event older than `cutoff`, for all projects: weekly partitions that end by then
 * are dropped whole (no row-by-row delete, no bloat); rows in a partition that straddles the
 * cutoff or in a default partition are deleted, and event_counts, person_activity and path_sessions follow. The caller holds the partition lock.
 */
export async function dropEventsBefore(db: Connection, cutoff: Date): Promise<DropResult> {
  const leaves = (await listEventTables(db)).filter((table) => table.leaf);
  const result: DropResult = { droppedTables: [], deletedRows: 0 };
  for (const leaf of leaves) {
    const from = weekOfTableName(leaf.table);
    if (from && leaf.parent && addWeeks(from, 1).getTime() <= cutoff.getTime()) {
      await withShortLock(db, { tag: 'partition.drop_week', timeoutMs: 1000, attempts: 30, tables: [leaf.parent], mode: 'ACCESS EXCLUSIVE' },
        () => runQuery(db, 'partition.drop_week', `DROP TABLE ${quoteIdentifier(leaf.table)}`));
      result.droppedTables.push(leaf.table);
    } else if (!from || from.getTime() < cutoff.getTime()) {
      result.deletedRows += await deleteInChunks(db, leaf.table, cutoff);
    }
  }
  await forgetCountsBefore(db, cutoff);
  await forgetActivityBefore(db, cutoff);
  await forgetPathSessionsBefore(db, cutoff);
  return result;
}

/** One project's events older than `cutoff` (partitions are shared between projects: rows are deleted). */
export async function deleteProjectEventsBefore(db: Connection, projectId: number, cutoff: Date): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rows: [result] } = await runQuery<{ deleted: number }>(db, 'partition.delete_project_before', deleteEventsAndCounts(
      `DELETE FROM events WHERE (project_id, uuid, timestamp, event) IN (
         SELECT project_id, uuid, timestamp, event FROM events WHERE project_id = $1 AND timestamp < $2 LIMIT ${deleteChunk})
       RETURNING project_id, event, timestamp, properties`), [projectId, cutoff]);
    deleted += result!.deleted;
    if (result!.deleted < deleteChunk) break;
  }
  await forgetCountsBefore(db, cutoff, projectId);
  await forgetActivityBefore(db, cutoff, projectId);
  await forgetPathSessionsBefore(db, cutoff, projectId);
  return deleted;
}
