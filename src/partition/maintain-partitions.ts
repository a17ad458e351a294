import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { deleteClickHouseEventsBefore } from '../clickhouse/delete-from-clickhouse.ts';
import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { attachWeek } from './event-table-ddl.ts';
import { deleteProjectEventsBefore, dropEventsBefore } from './drop-events-before.ts';
import { type LayoutState, readLayoutState } from './layout-state.ts';
import { releasePartitionLock, tryPartitionLock } from './partition-lock.ts';
import { defaultWeekTableName, eventBranchName, otherEventsBranchName, weekTableName } from './partition-names.ts';
import { historyWeeks } from './plan-conversion.ts';
import { recoverUnfinishedConversion, type Recovery } from './recover-conversion.ts';
import { addWeeks, weekStart, weeksBetween } from './weeks.ts';

export interface MaintenanceResult {
  /** False when another session held the partition lock (a conversion, or another worker's pass). */
  ran: boolean;
  recovered: Recovery['outcome'];
  createdWeeks: string[];
  movedRows: number;
  droppedTables: string[];
  deletedRows: number;
}

interface Branch { table: string; base: string }

/** Tables that are range-partitioned per week: `events` itself, or each of its per-event partitions. */
function weeklyBranches(state: LayoutState): Branch[] {
  if (state.layout.kind !== 'weekly') return [];
  if (state.layout.events.length === 0) return [{ table: 'events', base: state.tablePrefix }];
  return [...state.layout.events.map((event) => eventBranchName(state.tablePrefix, event)), otherEventsBranchName(state.tablePrefix)]
    .map((name) => ({ table: name, base: name }));
}

async function existingWeeks(db: Connection, branch: string): Promise<Set<string>> {
  const { rows } = await runQuery<{ name: string }>(db, 'partition.existing_weeks',
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace`, [branch]);
  return new Set(rows.map((row) => row.name));
}

/** Weeks (within the partitioned span) that have rows waiting in the branch's default partition. */
async function weeksInDefault(db: Connection, defaultTable: string, from: Date, to: Date): Promise<Date[]> {
  const { rows } = await runQuery<{ week: Date }>(db, 'partition.default_weeks',
    `SELECT DISTINCT date_trunc('week', timestamp, 'UTC') AS week FROM ONLY ${quoteIdentifier(defaultTable)} WHERE timestamp >= $1 AND timestamp < $2`, [from, to]);
  return rows.map((row) => row.week);
}

/**
 * One maintenance pass, run by whichever worker gets the partition lock: settle an interrupted
 * conversion, keep `weeksAhead` weeks of partitions ready in every branch, move rows that
 * waited in a default partition into their week once it may exist, and apply retention.
 */
export async function maintainPartitions(db: Connection, now = new Date(), clickhouse?: ClickHouseStore): Promise<MaintenanceResult> {
  const result: MaintenanceResult = { ran: false, recovered: 'none', createdWeeks: [], movedRows: 0, droppedTables: [], deletedRows: 0 };
  if (!await tryPartitionLock(db)) return result;
  try {
    result.ran = true;
    result.recovered = (await recoverUnfinishedConversion(db)).outcome;
    const state = await readLayoutState(db);
    const thisWeek = weekStart(now);
    const lastWeek = addWeeks(thisWeek, state.weeksAhead);
    for (const branch of weeklyBranches(state)) {
      const existing = await existingWeeks(db, branch.table);
      const defaultTable = defaultWeekTableName(branch.base);
      const hasDefault = existing.has(defaultTable);
      const waiting = hasDefault ? await weeksInDefault(db, defaultTable, addWeeks(thisWeek, -historyWeeks), addWeeks(lastWeek, 1)) : [];
      for (const week of [...weeksBetween(thisWeek, lastWeek), ...waiting]) {
        const name = weekTableName(branch.base, week);
        if (existing.has(name)) continue;
        result.movedRows += await attachWeek(db, branch.table, branch.base, week, hasDefault ? defaultTable : undefined);
        existing.add(name);
        result.createdWeeks.push(name);
      }
    }
    if (state.retainWeeks !== null) {
      // Rounded down to a Monday: whole weeks are dropped, and a row outlives its retention by under a week.
      const cutoff = weekStart(addWeeks(now, -state.retainWeeks));
      const dropped = await dropEventsBefore(db, cutoff);
      if (clickhouse) await deleteClickHouseEventsBefore(clickhouse, cutoff);
      result.droppedTables.push(...dropped.droppedTables);
      result.deletedRows += dropped.deletedRows;
    }
    const { rows: projects } = await runQuery<{ id: number; retain_weeks: number }>(db, 'partition.project_retention',
      'SELECT id, retain_weeks FROM projects WHERE retain_weeks IS NOT NULL ORDER BY id');
    for (const project of projects) {
      result.deletedRows += await deleteProjectEventsBefore(db, project.id, addWeeks(now, -project.retain_weeks));
      if (clickhouse) await deleteClickHouseEventsBefore(clickhouse, addWeeks(now, -project.retain_weeks), project.id);
    }
    return result;
  } finally {
    await releasePartitionLock(db).catch(() => undefined);
  }
}
