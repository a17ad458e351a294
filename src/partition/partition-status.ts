import { runQuery, type Queryable } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { latestConversion, type ConversionRecord } from './conversion-record.ts';
import { describeLayout, type EventLayout } from './event-layout.ts';
import { readLayoutState } from './layout-state.ts';
import { isPartitionLockHeld } from './partition-lock.ts';
import { listEventTables } from './event-tables.ts';
import { eventBranchName, otherEventsBranchName, weekOfTableName } from './partition-names.ts';
import { addWeeks } from './weeks.ts';

export interface PartitionEntry {
  table: string;
  parent: string | null;
  level: number;
  leaf: boolean;
  /** What the table holds: `events` (all), an event name, "other events", a week, or a default. */
  holds: string;
  event: string | null;
  from: string | null;
  to: string | null;
  isDefault: boolean;
  rows: number;
  bytes: number;
}

export interface PartitionStatus {
  layout: EventLayout;
  description: string;
  generation: number;
  weeksAhead: number;
  retainWeeks: number | null;
  /** The latest conversion; `unfinished` when it neither finished nor rolled back, `running` when its process is alive. */
  conversion: (ConversionRecord & { unfinished: boolean; running: boolean }) | null;
  tables: PartitionEntry[];
  rows: number;
  bytes: number;
  /** False when row counts are the planner's estimates (run with exact counts for the truth). */
  rowsExact: boolean;
}

/** The layout as the catalog has it: every table of `events` with what it holds, its rows and size. */
export async function readPartitionStatus(db: Queryable, exact: boolean): Promise<PartitionStatus> {
  const state = await readLayoutState(db);
  const tree = await listEventTables(db);
  const eventOfBranch = new Map<string, string | null>();
  if (state.layout.kind === 'weekly') {
    for (const event of state.layout.events) eventOfBranch.set(eventBranchName(state.tablePrefix, event), event);
    if (state.layout.events.length > 0) eventOfBranch.set(otherEventsBranchName(state.tablePrefix), null);
  }
  const entries: PartitionEntry[] = [];
  for (const row of tree) {
    let rows = row.estimate;
    if (exact && row.leaf) {
      const { rows: counted } = await runQuery<{ n: number }>(db, 'partition.status_count', `SELECT count(*)::bigint AS n FROM ONLY ${quoteIdentifier(row.schema)}.${quoteIdentifier(row.table)}`);
      rows = counted[0]!.n;
    }
    const from = weekOfTableName(row.table);
    const isDefault = row.table.endsWith('_wdefault');
    const branch = eventOfBranch.has(row.table) ? row.table : eventOfBranch.has(row.parent ?? '') ? row.parent! : null;
    const event = branch ? eventOfBranch.get(branch) ?? null : null;
    const branchLabel = branch === null ? null : event === null ? 'other events' : `event ${JSON.stringify(event)}`;
    const holds = row.level === 0 ? 'events'
      : eventOfBranch.has(row.table) ? branchLabel!
      : [branchLabel, from ? `week of ${from.toISOString().slice(0, 10)}` : isDefault ? 'outside every week' : null].filter(Boolean).join(', ');
    entries.push({
      table: row.table, parent: row.parent, level: row.level, leaf: row.leaf, holds, event, isDefault,
      from: from?.toISOString() ?? null, to: from ? addWeeks(from, 1).toISOString() : null, rows, bytes: row.bytes,
    });
  }
  // Children right under their parent: events, then each branch followed by its weeks.
  const branchOf = (entry: PartitionEntry) => (entry.level === 2 ? entry.parent! : entry.level === 1 ? entry.table : '');
  entries.sort((a, b) => branchOf(a).localeCompare(branchOf(b)) || a.level - b.level || a.table.localeCompare(b.table));
  // A parent's rows and size are its children's.
  for (const entry of [...entries].reverse()) {
    if (entry.leaf) continue;
    const children = entries.filter((child) => child.parent === entry.table);
    entry.rows = children.reduce((sum, child) => sum + child.rows, 0);
    entry.bytes = children.reduce((sum, child) => sum + child.bytes, 0);
  }
  const latest = await latestConversion(db);
  const unfinished = latest !== undefined && latest.phase !== 'done' && latest.phase !== 'rolled_back';
  const leaves = entries.filter((entry) => entry.leaf);
  return {
    layout: state.layout,
    description: describeLayout(state.layout),
    generation: state.generation,
    weeksAhead: state.weeksAhead,
    retainWeeks: state.retainWeeks,
    conversion: latest ? { ...latest, unfinished, running: unfinished && await isPartitionLockHeld(db) } : null,
    tables: entries,
    rows: leaves.reduce((sum, entry) => sum + entry.rows, 0),
    bytes: leaves.reduce((sum, entry) => sum + entry.bytes, 0),
    rowsExact: exact,
  };
}
