import { Command, CommanderError } from 'commander';
import { configEnvironment, isDebug } from '../config/config.ts';
import { registerPersonsCommand } from './persons-command.ts';
import { registerKeysCommand } from './keys-command.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerProjectsCommand } from './projects-command.ts';
import { registerStartCommand } from './start-command.ts';
import { registerWebCommand } from './web-command.ts';
import { registerWorkerCommand } from './worker-command.ts';
import { registerBenchCommand } from './bench-command.ts';
import { registerPartitionCommand } from './partition-command.ts';
import { registerExportCommand } from './export-command.ts';
import { registerRecountCommand } from './recount-command.ts';
import { registerClickHouseCommand } from './clickhouse-command.ts';

const environmentHelp = `
Environment:
  ${configEnvironment.databaseUrl}       PostgreSQL to use; when unset, an embedded PostgreSQL runs under SOUNDER_DATA_DIR
  ${configEnvironment.dataDir}   where the embedded PostgreSQL keeps its data (default ./.sounder)
  ${configEnvironment.embeddedPgPort}    port of the embedded PostgreSQL (default 54329)
  ${configEnvironment.port}               HTTP port (default 8000)
  ${configEnvironment.databaseReadUrl}  a replica for REST API reads (optional)
  ${configEnvironment.logLevel}          fatal, error, warn, info (default), debug, trace, silent
  ${configEnvironment.maxBacklogEvents}   capture answers 503 past this many waiting events (default 5000000)
  ${configEnvironment.maxBacklogSeconds}  ... or when the oldest waiting event is older than this (default 900)
  ${configEnvironment.maintenanceSeconds}  seconds between maintenance passes in workers: partitions, retention, cohorts (default 60)
  ${configEnvironment.cohortRefreshSeconds}  dynamic cohorts older than this are recomputed (default 300)
  ${configEnvironment.insightCacheSeconds}  insight results are reused for at most this long (default 60; 0 turns the cache off)
  ${configEnvironment.captureEventsPerSecond}  events/s each project may send to one web process; past it (and a burst of
                     SOUNDER_CAPTURE_BURST_SECONDS, default 10, of that rate) capture answers 429 with Retry-After (default 0: no limit)
  ${configEnvironment.flagCacheSeconds}  flag edits made through one web process reach the others within this long (default 2)
  ${configEnvironment.loginAttempts}  failed logins per email address before its logins wait (429 with Retry-After)
                     until SOUNDER_LOGIN_WINDOW_SECONDS (default 900) have passed since the first (default 10; 0: no limit)
  ${configEnvironment.lakeExportDir}  set: workers' maintenance passes export each sealed week to this data lake
                     directory, as \`sounder export --to\` does; ${configEnvironment.lakeGraceDays} (default 1) days after a week ends
  ${configEnvironment.clickhouseUrl}     set: ClickHouse is the events store (workers write events there, not to PostgreSQL; every reader of events reads it there); comma-separated
                     servers of one cluster (the first takes inserts and queries, all get the schema)
  ${configEnvironment.clickhouseCluster}  the remote_servers cluster those servers form (needed for more than one)
  ${configEnvironment.clickhouseDatabase} the ClickHouse database (default sounder)
  DEBUG              print stack traces on errors
`;

// `sounder partition status | head` closes stdout early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('sounder')
  .description('Sounder: self-hostable product analytics that PostHog\'s SDKs talk to unchanged')
  .showHelpAfterError()
  .addHelpText('after', environmentHelp)
  .exitOverride();

registerStartCommand(program);
registerWebCommand(program);
registerWorkerCommand(program);
registerMigrateCommand(program);
registerProjectsCommand(program);
registerKeysCommand(program);
registerPersonsCommand(program);
registerPartitionCommand(program);
registerExportCommand(program);
registerRecountCommand(program);
registerClickHouseCommand(program);
registerBenchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`sounder: ${(error as Error).message}`);
  if (isDebug()) console.error(error);
  process.exit(1);
}
