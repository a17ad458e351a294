import { runQuery, type Connection, type Queryable } from '../db/pool.ts';
import { liveTableOptions } from '../db/live-table-options.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { quoteLiteral } from '../db/quote-literal.ts';
import type { EventLayout } from './event-layout.ts';
import { listEventTables } from './event-tables.ts';
import { defaultWeekTableName, eventBranchName, otherEventsBranchName, weekTableName } from './partition-names.ts';
import { addWeeks } from './weeks.ts';

export const eventColumns = 'uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp, created_at';

interface EventIndex { suffix: string; unique: boolean; columns: string }

// The same indexes in every layout. The unique one holds the partition keys (event, timestamp),
// which a partitioned table requires, and serves the worker's duplicate probe. The event index
// carries what insights read besides the event and time, so they scan it alone (migration 0012).
const eventIndexes: EventIndex[] = [
  { suffix: 'project_uuid_time', unique: true, columns: '(project_id, uuid, timestamp, event)' },
  { suffix: 'project_timestamp', unique: false, columns: '(project_id, timestamp DESC)' },
  { suffix: 'project_event_timestamp', unique: false, columns: '(project_id, event, timestamp DESC) INCLUDE (person_id, distinct_id, uuid)' },
  { suffix: 'project_distinct_id_timestamp', unique: false, columns: '(project_id, distinct_id, timestamp DESC)' },
  { suffix: 'project_person_event_timestamp', unique: false, columns: '(project_id, person_id, event, timestamp DESC) INCLUDE (uuid)' },
];

export const eventIndexCount = eventIndexes.length;

function weekBound(week: Date): string {
  return `FROM (${quoteLiteral(week.toISOString())}) TO (${quoteLiteral(addWeeks(week, 1).toISOString())})`;
}

// Autovacuum stays off on the tables being filled: a vacuum of a fresh copy holds a lock the
// switch-over needs, and the conversion runs ANALYZE itself. `enableAutovacuum` turns it back on.
const buildingOptions = 'WITH (autovacuum_enabled = false)';

async function createWeeks(db: Queryable, branch: string, weeks: Date[]): Promise<void> {
  for (const week of weeks) {
    await runQuery(db, 'partition.create_week',
      `CREATE TABLE ${quoteIdentifier(weekTableName(branch, week))} PARTITION OF ${quoteIdentifier(branch)} FOR VALUES ${weekBound(week)} ${buildingOptions}`);
  }
  await runQuery(db, 'partition.create_week',
    `CREATE TABLE ${quoteIdentifier(defaultWeekTableName(branch))} PARTITION OF ${quoteIdentifier(branch)} DEFAULT ${buildingOptions}`);
}

/**
 * Creates `prefix`, shaped like `events`, in `layout`, with a partition for each of `weeks` in
 * every branch and a default partition wherever a row could fall outside them. No indexes yet:
 * rows load faster without them, and `createEventIndexes` builds them in one sorted pass.
 */
export async function createLayoutTables(db: Queryable, prefix: string, layout: EventLayout, weeks: Date[]): Promise<void> {
  const table = quoteIdentifier(prefix);
  if (layout.kind === 'plain') {
    await runQuery(db, 'partition.create_table', `CREATE TABLE ${table} (LIKE events INCLUDING DEFAULTS) ${buildingOptions}`);
    return;
  }
  if (layout.events.length === 0) {
    await runQuery(db, 'partition.create_table', `CREATE TABLE ${table} (LIKE events INCLUDING DEFAULTS) PARTITION BY RANGE (timestamp)`);
    await createWeeks(db, prefix, weeks);
    return;
  }
  await runQuery(db, 'partition.create_table', `CREATE TABLE ${table} (LIKE events INCLUDING DEFAULTS) PARTITION BY LIST (event)`);
  for (const event of layout.events) {
    const branch = eventBranchName(prefix, event);
    await runQuery(db, 'partition.create_branch',
      `CREATE TABLE ${quoteIdentifier(branch)} PARTITION OF ${table} FOR VALUES IN (${quoteLiteral(event)}) PARTITION BY RANGE (timestamp)`);
    await createWeeks(db, branch, weeks);
  }
  const other = otherEventsBranchName(prefix);
  await runQuery(db, 'partition.create_branch', `CREATE TABLE ${quoteIdentifier(other)} PARTITION OF ${table} DEFAULT PARTITION BY RANGE (timestamp)`);
  await createWeeks(db, other, weeks);
}

/** Gives the tables of the live `events` back to autovacuum, with the options of live tables, once a conversion has switched. */
export async function enableAutovacuum(db: Queryable): Promise<void> {
  for (const table of await listEventTables(db)) {
    if (table.leaf) await runQuery(db, 'partition.enable_autovacuum', `ALTER TABLE ${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)} RESET (autovacuum_enabled), SET (${liveTableOptions})`);
  }
}

/** Builds the event indexes on `prefix` (and, through it, on every partition). */
export async function createEventIndexes(db: Queryable, prefix: string, onIndex: (done: number) => void): Promise<void> {
  for (const [index, definition] of eventIndexes.entries()) {
    await runQuery(db, 'partition.create_index',
      `CREATE ${definition.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(`${prefix}_${definition.suffix}`)} ON ${quoteIdentifier(prefix)} ${definition.columns}`);
    onIndex(index + 1);
  }
}

/**
 * Adds the week starting `week` to a live branch without blocking inserts into it: the table is
 * built beside it, the week's rows are moved out of the branch's default partition, then it is
 * attached (which takes only a SHARE UPDATE EXCLUSIVE lock on the branch). Returns rows moved.
 */
export async function attachWeek(db: Connection, branch: string, base: string, week: Date, defaultPartition: string | undefined): Promise<number> {
  const name = quoteIdentifier(weekTableName(base, week));
  await runQuery(db, 'partition.attach_week', 'BEGIN');
  try {
    await runQuery(db, 'partition.attach_week', "SET LOCAL lock_timeout = '5s'");
    let moved = 0;
    await runQuery(db, 'partition.attach_week', `CREATE TABLE ${name} (LIKE ${quoteIdentifier(branch)} INCLUDING DEFAULTS) WITH (${liveTableOptions})`);
    if (defaultPartition) {
      // Rows of this week arriving between the move and the attach would make the attach fail.
      await runQuery(db, 'partition.attach_week', `LOCK TABLE ${quoteIdentifier(defaultPartition)} IN SHARE ROW EXCLUSIVE MODE`);
      const result = await runQuery(db, 'partition.move_default_rows',
        `WITH moved AS (DELETE FROM ${quoteIdentifier(defaultPartition)} WHERE timestamp >= $1 AND timestamp < $2 RETURNING ${eventColumns})
         INSERT INTO ${name} (${eventColumns}) SELECT ${eventColumns} FROM moved`, [week, addWeeks(week, 1)]);
      moved = result.rowCount ?? 0;
    }
    await runQuery(db, 'partition.attach_week', `ALTER TABLE ${quoteIdentifier(branch)} ATTACH PARTITION ${name} FOR VALUES ${weekBound(week)}`);
    await runQuery(db, 'partition.attach_week', 'COMMIT');
    return moved;
  } catch (error) {
    await runQuery(db, 'partition.attach_week', 'ROLLBACK').catch(() => undefined);
    throw error;
  }
}
