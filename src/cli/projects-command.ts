import type { Command } from 'commander';
import { createProject, listProjects } from '../accounts/projects.ts';
import { loadConfig } from '../config/config.ts';
import { printJson, printTable } from './output.ts';
import { withDatabase } from './with-database.ts';

export function registerProjectsCommand(program: Command): void {
  const projects = program.command('projects').description('create and list projects');
  projects.command('create')
    .description('create a project and print its API token (what SDKs send)')
    .requiredOption('--name <name>', 'project name')
    .option('--json', 'print {"id","name","api_token"} as JSON')
    .action(async (options: { name: string; json?: boolean }) => {
      const project = await withDatabase(loadConfig(), (pool) => createProject(pool, options.name));
      if (options.json) printJson({ id: project.id, name: project.name, api_token: project.api_token });
      else console.log(`created project ${project.id} "${project.name}"\nAPI token: ${project.api_token}`);
    });
  projects.command('list')
    .description('list projects with their API tokens')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(loadConfig(), (pool) => listProjects(pool));
      if (options.json) printJson(rows.map(({ id, name, api_token }) => ({ id, name, api_token })));
      else printTable(rows, ['id', 'name', 'api_token']);
    });
}
