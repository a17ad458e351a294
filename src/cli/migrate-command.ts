import type { Command } from 'commander';
import { migrateConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig } from '../config/config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';

export function registerMigrateCommand(program: Command): void {
  program.command('migrate')
    .description('apply pending database migrations (each once, in order, under a lock), and the ClickHouse schema when CLICKHOUSE_URL is set')
    .action(async () => {
      const config = loadConfig();
      const handle = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
      try {
        const result = await migrate(handle.url);
        console.log(result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'database is up to date');
        await migrateConfiguredClickHouse(config);
      } finally {
        await handle.release();
      }
    });
}
