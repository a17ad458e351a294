import type { Command } from 'commander';
import { withConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig } from '../config/config.ts';
import { printJson } from './output.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { withDatabase } from './with-database.ts';

interface ExportOptions { to: string; since?: string; format: string; project: string[]; graceDays: string; json?: boolean }

function parseOptions(options: ExportOptions): { since?: Date; projectIds?: number[]; graceDays: number } {
  if (options.format !== 'parquet') throw new Error(`--format ${options.format} is not supported: the lake is written as parquet`);
  let since: Date | undefined;
  if (options.since !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.since) || Number.isNaN(Date.parse(`${options.since}T00:00:00Z`))) throw new Error(`--since must be a date (YYYY-MM-DD), not ${JSON.stringify(options.since)}`);
    since = new Date(`${options.since}T00:00:00Z`);
  }
  const projectIds = options.project.map((id) => {
    if (!/^\d+$/.test(id)) throw new Error(`--project must be a project id, not ${JSON.stringify(id)}`);
    return Number(id);
  });
  if (!/^\d+$/.test(options.graceDays)) throw new Error(`--grace-days must be a whole number of days, not ${JSON.stringify(options.graceDays)}`);
  return { since, projectIds: projectIds.length > 0 ? projectIds : undefined, graceDays: Number(options.graceDays) };
}

/** `sounder export`: events of sealed weeks into a Hive-style Parquet data lake, incrementally. */
export function registerExportCommand(program: Command): void {
  program.command('export')
    .description('write events of every sealed week not yet exported to DIR as Parquet: DIR/project_id=P/event=E/week=YYYY-MM-DD/part-N.parquet (readable by DuckDB, ClickHouse, Spark and pandas); weeks written are recorded in PostgreSQL, so running it again writes only new ones')
    .requiredOption('--to <dir>', 'the data lake directory')
    .option('--since <date>', 'skip weeks before the one holding this date (YYYY-MM-DD)')
    .option('--format <format>', 'file format', 'parquet')
    .option('--project <id>', 'only this project (repeatable; default every project)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--grace-days <n>', 'a week is sealed once it ended this many days ago (late events have arrived)', String(loadConfig().lakeGraceDays))
    .option('--json', 'print the weeks written as JSON')
    .action(async (options: ExportOptions) => {
      const parsed = parseOptions(options);
      const progress = createProgressReporter();
      // DuckDB (the Parquet writer) is a large native library: loaded only for this command.
      const { exportToLake } = await import('../lake/export-to-lake.ts');
      const config = loadConfig();
      const result = await withConfiguredClickHouse(config, (clickhouse) => withDatabase(config, (_pool, url) => exportToLake(url, {
        destination: options.to, ...parsed, clickhouse, onProgress: (done, total) => progress.update('export', done, total, 'weeks'),
      }))).finally(() => progress.stop());
      if (result.busy) throw new Error('another export is running (a worker with SOUNDER_EXPORT_DIR, or another sounder export); try again when it is done');
      if (options.json) printJson(result);
      else if (result.weeks.length === 0) console.log(`nothing to export: every sealed week is already in ${result.destination}`);
      else console.log(`exported ${result.weeks.length} weeks, ${result.rows} events, ${result.weeks.reduce((sum, week) => sum + week.files, 0)} files to ${result.destination}`);
    });
}
