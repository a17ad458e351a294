import type { Command } from 'commander';
import pg from 'pg';
import { withConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { deleteClickHouseEventsBefore } from '../clickhouse/delete-from-clickhouse.ts';
import { loadConfig } from '../config/config.ts';
import type { Pool } from '../db/pool.ts';
import { runQuery } from '../db/pool.ts';
import { convertEvents, type ConversionOutcome } from '../partition/convert-events.ts';
import { findUnfinishedConversion } from '../partition/conversion-record.ts';
import { deleteProjectEventsBefore, dropEventsBefore } from '../partition/drop-events-before.ts';
import { describeLayout, plainLayout, sameLayout, weeklyLayout, type EventLayout } from '../partition/event-layout.ts';
import { readLayoutState, writeLayoutSettings } from '../partition/layout-state.ts';
import { maintainPartitions } from '../partition/maintain-partitions.ts';
import { acquirePartitionLock, releasePartitionLock } from '../partition/partition-lock.ts';
import { generationPrefix } from '../partition/partition-names.ts';
import { readPartitionStatus, type PartitionStatus } from '../partition/partition-status.ts';
import { planConversion } from '../partition/plan-conversion.ts';
import { printJson, printTable } from './output.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { withDatabase } from './with-database.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

const positiveInt = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return number;
};

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function parseCutoff(value: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new Error(`DATE must be a date like 2026-01-05 or an ISO 8601 time, got ${JSON.stringify(value)}`);
  return date;
}

/** Runs `work` on one connection holding the partition lock (no conversion or maintenance pass at the same time). */
async function withPartitionLock<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'sounder-partition' });
  await client.connect();
  try {
    await acquirePartitionLock(client, 30_000);
    try {
      return await work(client);
    } finally {
      await releasePartitionLock(client).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function printDryRun(pool: Pool, target: EventLayout, json: boolean | undefined): Promise<void> {
  const state = await readLayoutState(pool);
  const unfinished = await findUnfinishedConversion(pool);
  if (sameLayout(state.layout, target)) {
    if (json) printJson({ changes: false, layout: state.layout });
    else console.log(`events is already laid out as ${describeLayout(state.layout)}: nothing to do`);
    return;
  }
  const { rows } = await runQuery<{ next: number }>(pool, 'partition.dry_run', 'SELECT coalesce(max(id), 0)::int + 1 AS next FROM event_layout_conversions');
  const plan = await planConversion(pool, generationPrefix(rows[0]!.next), target, state.weeksAhead, new Date());
  if (json) {
    printJson({ changes: true, source: state.layout, target, unfinishedConversion: unfinished?.id ?? null, rowsToMove: plan.totalRows, tables: plan.tables });
    return;
  }
  console.log(`events: ${describeLayout(state.layout)} -> ${describeLayout(target)}`);
  if (unfinished) console.log(`conversion #${unfinished.id} was interrupted (${unfinished.phase}); it would be settled first`);
  printTable(plan.tables.map((table) => ({
    table: table.table,
    event: table.event ?? (target.kind === 'weekly' && target.events.length > 0 ? '(all others)' : ''),
    week: table.week ? table.week.toISOString().slice(0, 10) : (target.kind === 'plain' ? '' : '(outside every week)'),
    rows: table.rows,
  })), ['table', 'event', 'week', 'rows']);
  console.log(`${plan.tables.length} tables to create, ${plan.totalRows} rows to move; nothing was changed (--dry-run)`);
}

function printOutcome(outcome: ConversionOutcome, json: boolean | undefined): void {
  if (json) {
    printJson(outcome);
    return;
  }
  if (!outcome.changed) {
    console.log(`events is already laid out as ${describeLayout(outcome.layout)}: nothing to do`);
    return;
  }
  console.log([
    `events is now ${describeLayout(outcome.target)} (${outcome.tables} tables)`,
    `rows copied: ${outcome.rowsCopied}, writes replayed: ${outcome.changesReplayed}`,
    `time: ${outcome.seconds.total.toFixed(1)} s (copy ${outcome.seconds.copying.toFixed(1)} s, indexes ${outcome.seconds.indexing.toFixed(1)} s, catch-up and switch ${outcome.seconds.catchingUp.toFixed(1)} s)`,
    `inserts held off: ${outcome.captureLockMs.toFixed(1)} ms to start capturing, ${(outcome.switchWaitMs + outcome.switchLockMs).toFixed(1)} ms at the switch-over (lock held ${outcome.switchLockMs.toFixed(1)} ms)`,
  ].join('\n'));
}

function printStatus(status: PartitionStatus): void {
  console.log(`layout: ${status.description} (generation ${status.generation})`);
  console.log(`weeks kept ahead: ${status.weeksAhead}; retention: ${status.retainWeeks === null ? 'keep everything' : `${status.retainWeeks} weeks`}`);
  const conversion = status.conversion;
  if (conversion?.unfinished) {
    console.log(`conversion #${conversion.id} to ${describeLayout(conversion.target)} is unfinished: ${conversion.phase}, ${conversion.rowsCopied}/${conversion.rowsTotal} rows copied, `
      + (conversion.running ? 'running' : 'its process is gone (the next `sounder partition` or a worker settles it)'));
  }
  printTable(status.tables.map((entry) => ({
    table: `${'  '.repeat(entry.level)}${entry.table}`,
    holds: entry.holds,
    rows: `${status.rowsExact ? '' : '~'}${entry.rows}`,
    size: formatBytes(entry.bytes),
  })), ['table', 'holds', 'rows', 'size']);
  console.log(`${status.rowsExact ? '' : '~'}${status.rows} rows, ${formatBytes(status.bytes)}${status.rowsExact ? '' : ' (row counts are estimates; --exact counts them)'}`);
}

export function registerPartitionCommand(program: Command): void {
  // Positional: `--json` after `status` belongs to `status`, not to the conversion.
  program.enablePositionalOptions();
  const partition = program.command('partition')
    .enablePositionalOptions()
    .description('partition events per week (and per event with --element), online while ingestion runs; --reverse makes it one table again')
    .option('--element <event>', 'give this event its own partition (repeat for more events)', collect, [])
    .option('--reverse', 'back to one plain table, every row kept')
    .option('--dry-run', 'print the plan (tables, rows to move) and change nothing')
    .option('--json', 'print the result as JSON')
    .option('--pages-per-chunk <n>', 'table pages (8 kB) copied per statement: smaller shows progress more often', positiveInt('--pages-per-chunk'), 4096)
    .addHelpText('after', `
Examples:
  sounder partition                                         weekly partitions (Monday 00:00 UTC to Monday)
  sounder partition --element '$pageview' --element '$autocapture'
                                                            one partition per named event and one for all
                                                            others, each partitioned per week
  sounder partition --reverse                               one plain table again
  sounder partition status                                  the layout, with rows and sizes

Ingestion keeps running during a conversion: writes are captured and replayed, and inserts wait
only for the final switch-over (milliseconds). A conversion that is killed is rolled back (or,
once switched, finished) by the next run or by a worker's maintenance pass.`)
    .action(async (options: { element: string[]; reverse?: boolean; dryRun?: boolean; json?: boolean; pagesPerChunk: number }) => {
      if (options.reverse && options.element.length > 0) throw new Error('--reverse makes events one plain table; it takes no --element');
      const target = options.reverse ? plainLayout : weeklyLayout(options.element);
      await withDatabase(loadConfig(), async (pool, url) => {
        if (options.dryRun) return printDryRun(pool, target, options.json);
        const progress = createProgressReporter();
        try {
          const outcome = await convertEvents(url, {
            target,
            pagesPerChunk: options.pagesPerChunk,
            onStep: (line) => progress.line(line),
            onProgress: ({ step, done, total }) => progress.update(step.replace('_', ' '), done, total, step === 'indexing' ? 'indexes' : step === 'copying' ? 'rows' : 'writes'),
          });
          progress.stop();
          printOutcome(outcome, options.json);
        } finally {
          progress.stop();
        }
      });
    });

  partition.command('status')
    .description('the layout of events: each partition with its event or week, rows and size, and any unfinished conversion')
    .option('--exact', 'count rows instead of using the planner\'s estimates')
    .option('--json', 'print as JSON')
    .action(async (options: { exact?: boolean; json?: boolean }) => {
      const status = await withDatabase(loadConfig(), (pool) => readPartitionStatus(pool, Boolean(options.exact)));
      if (options.json) printJson(status);
      else printStatus(status);
    });

  partition.command('drop-before')
    .description('delete events older than DATE: weekly partitions wholly before it are dropped, rows in shared or default partitions deleted')
    .argument('<date>', 'a date (2026-01-05, midnight UTC) or an ISO 8601 time')
    .option('--project <id>', 'only this project\'s events (rows are deleted; partitions are shared)', positiveInt('--project'))
    .option('--json', 'print the result as JSON')
    .action(async (date: string, options: { project?: number; json?: boolean }) => {
      const cutoff = parseCutoff(date);
      const config = loadConfig();
      const result = await withDatabase(config, (_pool, url) => withPartitionLock(url, async (client) => options.project === undefined
        ? dropEventsBefore(client, cutoff)
        : { droppedTables: [], deletedRows: await deleteProjectEventsBefore(client, options.project, cutoff) }));
      await withConfiguredClickHouse(config, async (store) => {
        if (store) await deleteClickHouseEventsBefore(store, cutoff, options.project);
      });
      if (options.json) printJson(result);
      else console.log(`dropped ${result.droppedTables.length} partition${result.droppedTables.length === 1 ? '' : 's'}${result.droppedTables.length ? ` (${result.droppedTables.join(', ')})` : ''}, deleted ${result.deletedRows} rows`);
    });

  partition.command('retention')
    .description('show or set how long events are kept; workers enforce it in their maintenance pass')
    .option('--retain-weeks <n>', 'keep this many weeks of events (globally, or for --project)', positiveInt('--retain-weeks'))
    .option('--clear', 'keep events forever (globally, or for --project)')
    .option('--project <id>', 'set the retention of one project', positiveInt('--project'))
    .option('--weeks-ahead <n>', 'weekly partitions kept created ahead of now (default 4)', positiveInt('--weeks-ahead'))
    .option('--json', 'print the settings as JSON')
    .action(async (options: { retainWeeks?: number; clear?: boolean; project?: number; weeksAhead?: number; json?: boolean }) => {
      if (options.clear && options.retainWeeks !== undefined) throw new Error('give either --retain-weeks or --clear');
      if (options.weeksAhead !== undefined && options.weeksAhead > 52) throw new Error('--weeks-ahead must be at most 52');
      const retainWeeks = options.clear ? null : options.retainWeeks;
      const settings = await withDatabase(loadConfig(), async (pool) => {
        if (options.project !== undefined && retainWeeks !== undefined) {
          const { rowCount } = await runQuery(pool, 'partition.project_retention', 'UPDATE projects SET retain_weeks = $2 WHERE id = $1', [options.project, retainWeeks]);
          if (rowCount === 0) throw new Error(`no project ${options.project}`);
        } else if (retainWeeks !== undefined || options.weeksAhead !== undefined) {
          await writeLayoutSettings(pool, { retainWeeks, weeksAhead: options.weeksAhead });
        }
        const state = await readLayoutState(pool);
        const { rows } = await runQuery<{ id: number; name: string; retain_weeks: number }>(pool, 'partition.project_retention',
          'SELECT id, name, retain_weeks FROM projects WHERE retain_weeks IS NOT NULL ORDER BY id');
        return { retainWeeks: state.retainWeeks, weeksAhead: state.weeksAhead, projects: rows.map((row) => ({ id: row.id, name: row.name, retainWeeks: row.retain_weeks })) };
      });
      if (options.json) {
        printJson(settings);
        return;
      }
      console.log(`all events: ${settings.retainWeeks === null ? 'kept forever' : `kept ${settings.retainWeeks} weeks`}; weekly partitions created ${settings.weeksAhead} weeks ahead`);
      for (const project of settings.projects) console.log(`project ${project.id} "${project.name}": kept ${project.retainWeeks} weeks`);
    });

  partition.command('maintain')
    .description('run one partition maintenance pass now (workers run one every SOUNDER_MAINTENANCE_SECONDS)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const result = await withDatabase(config, async (_pool, url) => {
        const client = new pg.Client({ connectionString: url, application_name: 'sounder-partition' });
        await client.connect();
        try {
          return await withConfiguredClickHouse(config, (store) => maintainPartitions(client, new Date(), store));
        } finally {
          await client.end();
        }
      });
      if (options.json) printJson(result);
      else if (!result.ran) console.log('another session is maintaining or converting the partitions; nothing done');
      else console.log(`created ${result.createdWeeks.length} weekly partitions, moved ${result.movedRows} rows out of default partitions, dropped ${result.droppedTables.length} partitions, deleted ${result.deletedRows} rows`);
    });
}
