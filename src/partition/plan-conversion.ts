import { runQuery, type Queryable } from '../db/pool.ts';
import type { EventLayout } from './event-layout.ts';
import { defaultWeekTableName, eventBranchName, otherEventsBranchName, weekTableName } from './partition-names.ts';
import { addWeeks, weekStart, weeksBetween } from './weeks.ts';

// Weekly partitions reach this far back; older rows (a device clock stuck in 1970) stay in the
// default partition instead of creating thousands of tables.
export const historyWeeks = 156;

export interface PlannedTable {
  table: string;
  /** The event of a per-event partition; null for "all other events" or no per-event split. */
  event: string | null;
  /** Monday the week starts; null for a default partition (rows outside every week). */
  week: Date | null;
  rows: number;
}

export interface ConversionPlan {
  target: EventLayout;
  /** Weeks that get a partition: those holding rows (within `historyWeeks`) and the weeks ahead. */
  weeks: Date[];
  tables: PlannedTable[];
  totalRows: number;
}

interface Bucket { week: Date | null; event: string | null; rows: number }

/** Reads where the rows are (one scan of `events`) and lays out the tables `prefix` will have. */
export async function planConversion(db: Queryable, prefix: string, target: EventLayout, weeksAhead: number, now: Date): Promise<ConversionPlan> {
  const thisWeek = weekStart(now);
  const lastWeek = addWeeks(thisWeek, weeksAhead);
  const firstAllowed = addWeeks(thisWeek, -historyWeeks);
  const named = target.kind === 'weekly' ? target.events : [];
  const { rows } = await runQuery<Bucket>(db, 'partition.plan',
    `SELECT CASE WHEN timestamp >= $1 AND timestamp < $2 THEN date_trunc('week', timestamp, 'UTC') END AS week,
            CASE WHEN event = ANY($3::text[]) THEN event END AS event, count(*)::bigint AS rows
     FROM events GROUP BY 1, 2`, [firstAllowed, addWeeks(lastWeek, 1), named]);
  const totalRows = rows.reduce((sum, bucket) => sum + bucket.rows, 0);
  if (target.kind === 'plain') return { target, weeks: [], tables: [{ table: prefix, event: null, week: null, rows: totalRows }], totalRows };

  const weekTimes = new Set(weeksBetween(thisWeek, lastWeek).map((week) => week.getTime()));
  for (const bucket of rows) if (bucket.week) weekTimes.add(bucket.week.getTime());
  const weeks = [...weekTimes].sort((a, b) => a - b).map((time) => new Date(time));

  const rowsIn = (event: string | null, week: Date | null) => rows
    .filter((bucket) => bucket.event === event && (bucket.week?.getTime() ?? null) === (week?.getTime() ?? null))
    .reduce((sum, bucket) => sum + bucket.rows, 0);
  const branches: Array<{ base: string; event: string | null }> = named.length === 0
    ? [{ base: prefix, event: null }]
    : [...named.map((event) => ({ base: eventBranchName(prefix, event), event })), { base: otherEventsBranchName(prefix), event: null }];
  const tables: PlannedTable[] = [];
  for (const branch of branches) {
    for (const week of weeks) tables.push({ table: weekTableName(branch.base, week), event: branch.event, week, rows: rowsIn(branch.event, week) });
    tables.push({ table: defaultWeekTableName(branch.base), event: branch.event, week: null, rows: rowsIn(branch.event, null) });
  }
  return { target, weeks, tables, totalRows };
}
