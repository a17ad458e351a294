import fs from 'node:fs';
import type { Command } from 'commander';
import { withConfiguredClickHouse } from '../clickhouse/configured-store.ts';
import { loadConfig } from '../config/config.ts';
import { deletePerson } from '../privacy/delete-person.ts';
import { exportPerson } from '../privacy/export-person.ts';
import { printJson } from './output.ts';
import { withDatabase } from './with-database.ts';

interface PersonOptions { project: string; distinctId?: string; uuid?: string }

function personRef(options: PersonOptions): { projectId: number; by: { uuid?: string; distinctId?: string } } {
  if (!/^\d+$/.test(options.project)) throw new Error(`--project must be a project id, not ${JSON.stringify(options.project)}`);
  if ((options.distinctId === undefined) === (options.uuid === undefined)) throw new Error('name the person with exactly one of --distinct-id or --uuid');
  if (options.uuid !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.uuid)) throw new Error(`--uuid ${options.uuid} is not a uuid`);
  return { projectId: Number(options.project), by: { uuid: options.uuid, distinctId: options.distinctId } };
}

const described = (person: PersonOptions) => person.uuid ? `uuid ${person.uuid}` : `distinct id ${JSON.stringify(person.distinctId)}`;

/** Privacy requests: a person's data exported as JSON, or deleted. */
export function registerPersonsCommand(program: Command): void {
  const persons = program.command('persons').description('privacy requests: export or delete one person\'s data');
  persons.command('export')
    .description('print (or write) everything stored about one person as JSON: properties, distinct ids, every event')
    .requiredOption('--project <id>', 'the project')
    .option('--distinct-id <id>', 'any of the person\'s distinct ids')
    .option('--uuid <uuid>', 'the person\'s uuid')
    .option('--out <file>', 'write the JSON there instead of to standard output')
    .action(async (options: PersonOptions & { out?: string }) => {
      const { projectId, by } = personRef(options);
      const config = loadConfig();
      const data = await withConfiguredClickHouse(config, (clickhouse) => withDatabase(config, (pool) => exportPerson(pool, projectId, by, clickhouse)));
      if (!data) throw new Error(`no person with ${described(options)} in project ${projectId}`);
      if (options.out) {
        fs.writeFileSync(options.out, `${JSON.stringify(data, null, 2)}\n`);
        console.error(`wrote ${data.events.length} events of person ${data.person.uuid} to ${options.out}`);
      } else printJson(data);
    });
  persons.command('delete')
    .description('delete one person: their properties, distinct ids, cohort memberships and flag hash keys')
    .requiredOption('--project <id>', 'the project')
    .option('--distinct-id <id>', 'any of the person\'s distinct ids')
    .option('--uuid <uuid>', 'the person\'s uuid')
    .option('--with-events', 'also delete every event sent under any of their distinct ids')
    .option('--json', 'print {"uuid","distinct_ids","events_deleted"} as JSON')
    .action(async (options: PersonOptions & { withEvents?: boolean; json?: boolean }) => {
      const { projectId, by } = personRef(options);
      const config = loadConfig();
      const deleted = await withConfiguredClickHouse(config, (clickhouse) => withDatabase(config, (pool) => deletePerson(pool, projectId, by, { keepEvents: !options.withEvents, clickhouse })));
      if (!deleted) throw new Error(`no person with ${described(options)} in project ${projectId}`);
      if (options.json) printJson(deleted);
      else console.log(`deleted person ${deleted.uuid} (${deleted.distinct_ids.length} distinct ids) and ${deleted.events_deleted} events`);
    });
}
