import { runQuery, type Queryable } from '../db/pool.ts';
import { parseStoredLayout, type EventLayout } from './event-layout.ts';
import { generationPrefix, retiredTableName } from './partition-names.ts';

export type ConversionPhase = 'building' | 'copying' | 'indexing' | 'catching_up' | 'switched' | 'done' | 'rolled_back';

export interface ConversionRecord {
  id: number;
  source: EventLayout;
  target: EventLayout;
  newTable: string;
  retiredTable: string;
  phase: ConversionPhase;
  rowsTotal: number;
  rowsCopied: number;
  captureLockMs: number | null;
  switchLockMs: number | null;
  switchWaitMs: number | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface ConversionRow {
  id: number; source: unknown; target: unknown; new_table: string; retired_table: string; phase: ConversionPhase;
  rows_total: number; rows_copied: number; capture_lock_ms: number | null; switch_lock_ms: number | null; switch_wait_ms: number | null;
  started_at: Date; updated_at: Date; finished_at: Date | null;
}

function toRecord(row: ConversionRow): ConversionRecord {
  return {
    id: row.id, source: parseStoredLayout(row.source), target: parseStoredLayout(row.target), newTable: row.new_table, retiredTable: row.retired_table,
    phase: row.phase, rowsTotal: row.rows_total, rowsCopied: row.rows_copied, captureLockMs: row.capture_lock_ms, switchLockMs: row.switch_lock_ms,
    switchWaitMs: row.switch_wait_ms, startedAt: row.started_at, updatedAt: row.updated_at, finishedAt: row.finished_at,
  };
}

/** Records a new conversion; its id is the generation, which names its tables. */
export async function startConversionRecord(db: Queryable, source: EventLayout, target: EventLayout): Promise<ConversionRecord> {
  const { rows: next } = await runQuery<{ id: number }>(db, 'partition.start_conversion', "SELECT nextval('event_layout_conversions_id_seq')::int AS id");
  const id = next[0]!.id;
  const { rows } = await runQuery<ConversionRow>(db, 'partition.start_conversion',
    `INSERT INTO event_layout_conversions (id, source, target, new_table, retired_table, phase)
     VALUES ($1, $2, $3, $4, $5, 'building') RETURNING *`,
    [id, JSON.stringify(source), JSON.stringify(target), generationPrefix(id), retiredTableName(id)]);
  return toRecord(rows[0]!);
}

export async function updateConversion(db: Queryable, id: number, changes: Partial<Pick<ConversionRecord, 'phase' | 'rowsTotal' | 'rowsCopied' | 'captureLockMs' | 'switchLockMs' | 'switchWaitMs'>>): Promise<void> {
  await runQuery(db, 'partition.update_conversion',
    `UPDATE event_layout_conversions SET
       phase = coalesce($2, phase), rows_total = coalesce($3, rows_total), rows_copied = coalesce($4, rows_copied),
       capture_lock_ms = coalesce($5, capture_lock_ms), switch_lock_ms = coalesce($6, switch_lock_ms), switch_wait_ms = coalesce($7, switch_wait_ms),
       updated_at = now(), finished_at = CASE WHEN $2 IN ('done', 'rolled_back') THEN now() ELSE finished_at END
     WHERE id = $1`,
    [id, changes.phase ?? null, changes.rowsTotal ?? null, changes.rowsCopied ?? null, changes.captureLockMs ?? null, changes.switchLockMs ?? null, changes.switchWaitMs ?? null]);
}

/** The conversion that started and neither finished nor rolled back, if any. */
export async function findUnfinishedConversion(db: Queryable): Promise<ConversionRecord | undefined> {
  const { rows } = await runQuery<ConversionRow>(db, 'partition.unfinished_conversion',
    "SELECT * FROM event_layout_conversions WHERE phase NOT IN ('done', 'rolled_back') ORDER BY id DESC LIMIT 1");
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function latestConversion(db: Queryable): Promise<ConversionRecord | undefined> {
  const { rows } = await runQuery<ConversionRow>(db, 'partition.latest_conversion', 'SELECT * FROM event_layout_conversions ORDER BY id DESC LIMIT 1');
  return rows[0] ? toRecord(rows[0]) : undefined;
}
