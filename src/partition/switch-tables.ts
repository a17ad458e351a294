import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { dropChangeCaptureTriggers, replayCapturedChanges } from './capture-changes.ts';
import { updateConversion, type ConversionRecord } from './conversion-record.ts';
import { writeLayout } from './layout-state.ts';
import { withShortLock } from './lock-retry.ts';

export interface SwitchResult { lockMs: number; waitMs: number; attempts: number; blockedBy: string[] }

const replayChunk = 50_000;

async function replayAll(db: Connection, table: string): Promise<void> {
  while (await replayCapturedChanges(db, table, replayChunk) > 0) { /* until none is left */ }
}

/**
 * The only moment ingestion waits: under an ACCESS EXCLUSIVE lock, replay the last captured
 * changes, drop the triggers and swap the names, in one transaction. Changes are replayed
 * before each attempt too, so what is left under the lock is a few batches. The new table is
 * locked first: waiting for it (say, an autovacuum of the fresh copy) holds up nobody.
 */
export async function switchTables(db: Connection, conversion: ConversionRecord): Promise<SwitchResult> {
  const result = await withShortLock(db, { tag: 'partition.switch', timeoutMs: 500, attempts: 240, tables: [conversion.newTable, 'events'], mode: 'ACCESS EXCLUSIVE' }, async () => {
    await replayAll(db, conversion.newTable);
    await dropChangeCaptureTriggers(db);
    await runQuery(db, 'partition.switch', `ALTER TABLE events RENAME TO ${quoteIdentifier(conversion.retiredTable)}`);
    await runQuery(db, 'partition.switch', `ALTER TABLE ${quoteIdentifier(conversion.newTable)} RENAME TO events`);
    await writeLayout(db, conversion.id, conversion.target, conversion.newTable);
    await updateConversion(db, conversion.id, { phase: 'switched' });
  }, () => replayAll(db, conversion.newTable));
  return { lockMs: result.holdMs, waitMs: result.waitMs, attempts: result.attempts, blockedBy: result.blockedBy };
}
