import type { Command } from 'commander';
import { listProjects } from '../accounts/projects.ts';
import { backfillClickHouse } from '../clickhouse/backfill-clickhouse.ts';
import { addMaterializedColumn, migrateClickHouse } from '../clickhouse/clickhouse-migrations.ts';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { withConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { materializedColumn } from '../clickhouse/hot-properties.ts';
import { loadConfig } from '../config/config.ts';
import { printJson } from './output.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { withDatabase } from './with-database.ts';

function withClickHouse<T>(work: (store: ClickHouseStore) => Promise<T>): Promise<T> {
  return withConfiguredClickHouse(loadConfig(), (store) => {
    if (!store) throw new Error('CLICKHOUSE_URL is not set: there is no ClickHouse events store');
    return work(store);
  });
}

/** `sounder clickhouse ...`: the ClickHouse events store's schema. */
export function registerClickHouseCommand(program: Command): void {
  const clickhouse = program.command('clickhouse').description('the ClickHouse events store (CLICKHOUSE_URL): its schema and hot property columns');
  clickhouse.command('migrate')
    .description('create or update the schema on every server CLICKHOUSE_URL lists (sounder start and sounder migrate do it too)')
    .action(async () => {
      const ran = await withClickHouse(migrateClickHouse);
      console.log(ran > 0 ? `applied ${ran} migration(s) over all servers` : 'ClickHouse schema is up to date');
    });
  clickhouse.command('backfill')
    .description('copy the events Postgres holds and ClickHouse lacks (those stored before CLICKHOUSE_URL was set), with the persons and overrides it lacks; resumable (what ClickHouse has is never copied again), and verified: events per week are compared afterwards, exit code 1 on a difference')
    .option('--project <id>', 'only this project (repeatable; default every project)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--since <date>', 'only events from this date (YYYY-MM-DD, UTC) on')
    .option('--json', 'print the report as JSON')
    .action(async (options: { project: string[]; since?: string; json?: boolean }) => {
      for (const id of options.project) if (!/^\d+$/.test(id)) throw new Error(`--project must be a project id, not ${JSON.stringify(id)}`);
      if (options.since !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(options.since) || Number.isNaN(Date.parse(`${options.since}T00:00:00Z`)))) {
        throw new Error(`--since must be a date (YYYY-MM-DD), not ${JSON.stringify(options.since)}`);
      }
      const since = options.since ? new Date(`${options.since}T00:00:00Z`) : undefined;
      const config = loadConfig();
      const progress = createProgressReporter();
      const report = await withClickHouse((store) => withDatabase(config, async (pool, url) => {
        const projectIds = options.project.length > 0 ? options.project.map(Number) : (await listProjects(pool)).map((project) => project.id);
        return backfillClickHouse(pool, url, store, { projectIds, since, onProgress: (step) => progress.update('backfill', step.doneEvents, step.totalEvents, 'events') });
      }));
      progress.stop();
      const differing = report.weeks.filter((week) => week.postgres !== week.clickhouse);
      if (options.json) printJson(report);
      else {
        console.log(`copied ${report.copied} events, ${report.persons} persons, ${report.overrides} overrides and ${report.cohorts} cohorts`);
        console.log(differing.length === 0 ? `verified: all ${report.weeks.length} weeks hold the same events in both stores`
          : differing.map((week) => `project ${week.projectId} week ${week.week}: ${week.postgres} in Postgres, ${week.clickhouse} in ClickHouse`).join('\n'));
      }
      // More in ClickHouse than in Postgres is events written meanwhile by the workers; fewer is a failure.
      if (differing.some((week) => week.clickhouse < week.postgres)) process.exitCode = 1;
    });
  clickhouse.command('materialize')
    .description('give an event property a column of its own on every server, so filters and breakdowns on it read that column instead of every property (new events fill it as they arrive; older parts compute it when read)')
    .argument('<property>', 'the event property key, e.g. plan or $screen_name')
    .action(async (property: string) => {
      if (property.length === 0 || property.length > 400) throw new Error('the property key must be 1 to 400 characters');
      const added = await withClickHouse(async (store) => {
        let any = false;
        for (const node of store.nodes) any = (await addMaterializedColumn(store, node, property)) || any;
        return any;
      });
      console.log(added ? `materialized ${JSON.stringify(property)} as column ${materializedColumn(property)}` : `${JSON.stringify(property)} is already materialized (${materializedColumn(property)})`);
    });
}
