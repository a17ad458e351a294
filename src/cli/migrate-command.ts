import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';

export function registerMigrateCommand(program: Command): void {
  program.command('migrate')
    .description('apply pending database migrations (each once, in order, under a lock)')
    .action(async () => {
      const handle = await openDatabase(loadConfig(), (line) => process.stderr.write(`${line}\n`));
      try {
        const result = await migrate(handle.url);
        console.log(result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'database is up to date');
      } finally {
        await handle.release();
      }
    });
}
