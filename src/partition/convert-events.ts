import pg from 'pg';
import { runQuery, type Connection } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { countCapturedChanges, installChangeCapture, replayCapturedChanges } from './capture-changes.ts';
import { startConversionRecord, updateConversion, type ConversionRecord } from './conversion-record.ts';
import { copyRows } from './copy-rows.ts';
import { createEventIndexes, createLayoutTables, enableAutovacuum, eventIndexCount } from './event-table-ddl.ts';
import { sameLayout, type EventLayout } from './event-layout.ts';
import { readLayoutState } from './layout-state.ts';
import { acquirePartitionLock, releasePartitionLock } from './partition-lock.ts';
import { planConversion, type ConversionPlan } from './plan-conversion.ts';
import { recoverUnfinishedConversion, type Recovery } from './recover-conversion.ts';
import { switchTables } from './switch-tables.ts';
import { requirePartitioningSupport } from './server-support.ts';

export type ConversionStep = 'copying' | 'indexing' | 'catching_up';

export interface ConversionProgress { step: ConversionStep; done: number; total: number }

export interface ConversionOptions {
  target: EventLayout;
  now?: Date;
  /** Pages (8 kB) copied per statement. */
  pagesPerChunk?: number;
  onProgress?: (progress: ConversionProgress) => void;
  onStep?: (line: string) => void;
}

export interface ConversionResult {
  conversionId: number;
  source: EventLayout;
  target: EventLayout;
  recovered: Recovery;
  rowsCopied: number;
  changesReplayed: number;
  tables: number;
  seconds: { total: number; copying: number; indexing: number; catchingUp: number };
  /** How long inserts were held off: installing the capture triggers, then the switch-over (waits of every attempt, then the lock held). */
  captureLockMs: number;
  switchLockMs: number;
  switchWaitMs: number;
  switchAttempts: number;
  /** What held the live table when a switch-over attempt gave up. */
  switchBlockedBy: string[];
}

export type ConversionOutcome = { changed: false; recovered: Recovery; layout: EventLayout } | ({ changed: true } & ConversionResult);

// Replaying stops and the switch-over starts once fewer changes than this are waiting.
const switchBelowChanges = 20_000;
const replayChunk = 50_000;

function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'sounder-partition' });
  client.on('error', () => undefined);
  return client.connect().then(() => client);
}

/**
 * Converts `events` to `target` online: the new layout is built beside the live table, rows are
 * copied in one snapshot while triggers capture concurrent writes, indexes are built, captured
 * changes are replayed, and the names are swapped under a lock held for milliseconds. A run
 * killed at any point leaves the live table intact; the next run (or the maintenance loop)
 * rolls the unfinished one back, or finishes it when it had already switched.
 */
export async function convertEvents(databaseUrl: string, options: ConversionOptions): Promise<ConversionOutcome> {
  const step = options.onStep ?? (() => undefined);
  const client = await connect(databaseUrl);
  // Progress goes through its own connection: the copy's own transaction commits only at the end.
  const progress = await connect(databaseUrl);
  try {
    await requirePartitioningSupport(client);
    await acquirePartitionLock(client, 30_000);
    try {
      const recovered = await recoverUnfinishedConversion(client);
      if (recovered.outcome !== 'none') step(`conversion #${recovered.conversionId} had been interrupted: ${recovered.outcome.replace('_', ' ')}`);
      const state = await readLayoutState(client);
      if (sameLayout(state.layout, options.target)) return { changed: false, recovered, layout: state.layout };
      const conversion = await startConversionRecord(client, state.layout, options.target);
      try {
        return { changed: true, ...await runConversion(client, progress, conversion, state.weeksAhead, recovered, options) };
      } catch (error) {
        if ((await recoverUnfinishedConversion(client).catch(() => undefined))?.outcome === 'rolled_back') {
          step(`conversion #${conversion.id} failed and was rolled back; events are unchanged`);
        }
        throw error;
      }
    } finally {
      await releasePartitionLock(client).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
    await progress.end().catch(() => undefined);
  }
}

async function runConversion(client: Connection, progress: Connection, conversion: ConversionRecord, weeksAhead: number,
  recovered: Recovery, options: ConversionOptions): Promise<ConversionResult> {
  const step = options.onStep ?? (() => undefined);
  const report = options.onProgress ?? (() => undefined);
  const started = performance.now();

  step('reading where the rows are');
  const plan: ConversionPlan = await planConversion(client, conversion.newTable, options.target, weeksAhead, options.now ?? new Date());
  step(`creating ${plan.tables.length} table${plan.tables.length === 1 ? '' : 's'} beside events`);
  await runQuery(client, 'partition.create_tables', 'BEGIN');
  await createLayoutTables(client, conversion.newTable, options.target, plan.weeks);
  await runQuery(client, 'partition.create_tables', 'COMMIT');
  await updateConversion(client, conversion.id, { rowsTotal: plan.totalRows });

  const captureLockMs = await installChangeCapture(client);
  await updateConversion(client, conversion.id, { phase: 'copying', captureLockMs });
  step(`capturing writes to events (lock held ${captureLockMs.toFixed(1)} ms); copying ${plan.totalRows} rows`);
  const copyStarted = performance.now();
  let lastWrite = 0;
  const rowsCopied = await copyRows(client, conversion.newTable, options.pagesPerChunk ?? 4096, (copied) => {
    report({ step: 'copying', done: copied, total: Math.max(plan.totalRows, copied) });
    if (performance.now() - lastWrite > 1000) {
      lastWrite = performance.now();
      void updateConversion(progress, conversion.id, { rowsCopied: copied }).catch(() => undefined);
    }
  });
  await updateConversion(progress, conversion.id, { rowsCopied, phase: 'indexing' });

  const indexStarted = performance.now();
  step(`building ${eventIndexCount} indexes`);
  report({ step: 'indexing', done: 0, total: eventIndexCount });
  await runQuery(client, 'partition.create_index', "SET maintenance_work_mem = '512MB'");
  await createEventIndexes(client, conversion.newTable, (done) => report({ step: 'indexing', done, total: eventIndexCount }));
  await runQuery(client, 'partition.analyze', `ANALYZE ${quoteIdentifier(conversion.newTable)}`);
  await runQuery(client, 'partition.create_index', 'RESET maintenance_work_mem');

  await updateConversion(client, conversion.id, { phase: 'catching_up' });
  const catchUpStarted = performance.now();
  let changesReplayed = 0;
  let waiting = await countCapturedChanges(client);
  step(`replaying ${waiting} writes made during the copy`);
  const toReplay = waiting;
  while (waiting >= switchBelowChanges) {
    changesReplayed += await replayCapturedChanges(client, conversion.newTable, replayChunk);
    report({ step: 'catching_up', done: Math.min(changesReplayed, toReplay), total: toReplay });
    waiting = await countCapturedChanges(client);
  }
  changesReplayed += waiting;

  step('switching events to the new layout');
  const switched = await switchTables(client, conversion);
  await updateConversion(client, conversion.id, { switchLockMs: switched.lockMs, switchWaitMs: switched.waitMs });
  step(`switched (lock held ${switched.lockMs.toFixed(1)} ms after ${switched.waitMs.toFixed(1)} ms of waiting, attempt ${switched.attempts}); dropping the old table`);
  await enableAutovacuum(client);
  await runQuery(client, 'partition.drop_retired', `DROP TABLE ${quoteIdentifier(conversion.retiredTable)}`);
  await updateConversion(client, conversion.id, { phase: 'done' });
  const finished = performance.now();
  return {
    conversionId: conversion.id,
    source: conversion.source,
    target: conversion.target,
    recovered,
    rowsCopied,
    changesReplayed,
    tables: plan.tables.length,
    seconds: {
      total: (finished - started) / 1000,
      copying: (indexStarted - copyStarted) / 1000,
      indexing: (catchUpStarted - indexStarted) / 1000,
      catchingUp: (finished - catchUpStarted) / 1000,
    },
    captureLockMs,
    switchLockMs: switched.lockMs,
    switchWaitMs: switched.waitMs,
    switchAttempts: switched.attempts,
    switchBlockedBy: switched.blockedBy,
  };
}
