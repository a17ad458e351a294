import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { eventColumns } from './event-table-ddl.ts';
import { listEventTables } from './event-tables.ts';

/**
 * Copies every row of the live `events` (all its partitions) into `table`, in one snapshot,
 * a range of pages at a time (TID range scans, Postgres 14+) so progress can be shown.
 * The snapshot is taken after the change capture started: rows committed after it reach the
 * new table as replayed changes instead.
 */
export async function copyRows(db: Connection, table: string, pagesPerChunk: number, onRows: (copied: number) => void): Promise<number> {
  const target = quoteIdentifier(table);
  let copied = 0;
  await runQuery(db, 'partition.copy_rows', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    const leaves = (await listEventTables(db)).filter((table) => table.leaf);
    for (const leaf of leaves) {
      const source = `${quoteIdentifier(leaf.schema)}.${quoteIdentifier(leaf.table)}`;
      for (let start = 0; ; start += pagesPerChunk) {
        // The last range is open-ended: the table may have grown since its size was read.
        const last = start + pagesPerChunk >= leaf.pages;
        const result = await runQuery(db, 'partition.copy_rows',
          `INSERT INTO ${target} (${eventColumns}) SELECT ${eventColumns} FROM ONLY ${source}
           WHERE ctid >= $1::tid ${last ? '' : 'AND ctid < $2::tid'}`,
          last ? [`(${start},0)`] : [`(${start},0)`, `(${start + pagesPerChunk},0)`]);
        copied += result.rowCount ?? 0;
        onRows(copied);
        if (last) break;
      }
    }
    // Same snapshot: the copy must hold exactly the rows the live table had. Cheap next to the
    // copy, and the one check that makes a silent loss impossible.
    const { rows: counted } = await runQuery<{ n: number }>(db, 'partition.copy_rows', 'SELECT count(*)::bigint AS n FROM events');
    if (counted[0]!.n !== copied) throw new Error(`copied ${copied} rows but events holds ${counted[0]!.n}; nothing was switched`);
    await runQuery(db, 'partition.copy_rows', 'COMMIT');
    return copied;
  } catch (error) {
    await runQuery(db, 'partition.copy_rows', 'ROLLBACK').catch(() => undefined);
    throw error;
  }
}
