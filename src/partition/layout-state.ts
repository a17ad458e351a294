import { runQuery, type Queryable } from '../db/pool.ts';
import { parseStoredLayout, type EventLayout } from './event-layout.ts';

export interface LayoutState {
  generation: number;
  layout: EventLayout;
  /** Names of this generation's tables start with it (weekly partitions made later too). */
  tablePrefix: string;
  weeksAhead: number;
  /** Global retention: rows older than this many weeks are dropped. Null keeps everything. */
  retainWeeks: number | null;
}

export async function readLayoutState(db: Queryable): Promise<LayoutState> {
  const { rows } = await runQuery<{ generation: number; layout: unknown; table_prefix: string; weeks_ahead: number; retain_weeks: number | null }>(
    db, 'partition.read_layout', 'SELECT generation, layout, table_prefix, weeks_ahead, retain_weeks FROM event_layout');
  const row = rows[0]!;
  return { generation: row.generation, layout: parseStoredLayout(row.layout), tablePrefix: row.table_prefix, weeksAhead: row.weeks_ahead, retainWeeks: row.retain_weeks };
}

export async function writeLayout(db: Queryable, generation: number, layout: EventLayout, tablePrefix: string): Promise<void> {
  await runQuery(db, 'partition.write_layout',
    'UPDATE event_layout SET generation = $1, layout = $2, table_prefix = $3, updated_at = now()', [generation, JSON.stringify(layout), tablePrefix]);
}

export async function writeLayoutSettings(db: Queryable, settings: { weeksAhead?: number; retainWeeks?: number | null }): Promise<void> {
  if (settings.weeksAhead !== undefined) {
    await runQuery(db, 'partition.write_settings', 'UPDATE event_layout SET weeks_ahead = $1, updated_at = now()', [settings.weeksAhead]);
  }
  if (settings.retainWeeks !== undefined) {
    await runQuery(db, 'partition.write_settings', 'UPDATE event_layout SET retain_weeks = $1, updated_at = now()', [settings.retainWeeks]);
  }
}
