import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { removeChangeCapture } from './capture-changes.ts';
import { findUnfinishedConversion, updateConversion } from './conversion-record.ts';
import { enableAutovacuum } from './event-table-ddl.ts';

export type Recovery = { outcome: 'none' } | { outcome: 'finished' | 'rolled_back'; conversionId: number };

/**
 * Settles a conversion whose process died (the caller holds the partition lock, so none is
 * running). Before the switch-over the live table is untouched: drop the half-built copy.
 * After it, autovacuum is turned back on and the old table dropped. Never two copies, never a lost row.
 */
export async function recoverUnfinishedConversion(db: Connection): Promise<Recovery> {
  const conversion = await findUnfinishedConversion(db);
  if (!conversion) return { outcome: 'none' };
  if (conversion.phase === 'switched') {
    await enableAutovacuum(db);
    await runQuery(db, 'partition.recover', `DROP TABLE IF EXISTS ${quoteIdentifier(conversion.retiredTable)}`);
    await runQuery(db, 'partition.recover', 'TRUNCATE event_conversion_changes');
    await updateConversion(db, conversion.id, { phase: 'done' });
    return { outcome: 'finished', conversionId: conversion.id };
  }
  await removeChangeCapture(db);
  await runQuery(db, 'partition.recover', `DROP TABLE IF EXISTS ${quoteIdentifier(conversion.newTable)}`);
  await updateConversion(db, conversion.id, { phase: 'rolled_back' });
  return { outcome: 'rolled_back', conversionId: conversion.id };
}
