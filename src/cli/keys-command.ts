import type { Command } from 'commander';
import { createPersonalApiKey } from '../accounts/personal-api-keys.ts';
import { listProjects } from '../accounts/projects.ts';
import { loadConfig } from '../config/config.ts';
import { printJson } from './output.ts';
import { withDatabase } from './with-database.ts';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('personal API keys for the REST API');
  keys.command('create')
    .description('create a personal API key (shown once; only its hash is stored)')
    .option('--project <id>', 'project the key may read (default: the first project)')
    .option('--label <label>', 'a name to recognise the key by', '')
    .option('--read-only', 'the key may read but not change anything (scope read; default read and write)')
    .option('--json', 'print {"key": "..."} as JSON')
    .action(async (options: { project?: string; label: string; readOnly?: boolean; json?: boolean }) => {
      const created = await withDatabase(loadConfig(), async (pool) => {
        const projects = await listProjects(pool);
        const project = options.project === undefined ? projects[0] : projects.find((p) => String(p.id) === options.project);
        if (!project) throw new Error(options.project === undefined ? 'no project yet: run `sounder projects create --name NAME` first' : `no project with id ${options.project}`);
        return createPersonalApiKey(pool, project.id, options.label, { scopes: options.readOnly ? ['read'] : ['read', 'write'] });
      });
      if (options.json) printJson({ key: created.key, project_id: created.project_id, scopes: created.scopes });
      else console.log(`personal API key for project ${created.project_id}, scopes ${created.scopes.join(', ')} (shown once):\n${created.key}`);
    });
}
