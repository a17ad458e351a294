import type { Command } from 'commander';
import { listProjects } from '../accounts/projects.ts';
import { loadConfig } from '../config/config.ts';
import { recountEvents } from '../rollups/event-counts.ts';
import { rebuildPathSessions } from '../rollups/path-sessions.ts';
import { rebuildPersonActivity } from '../rollups/person-activity.ts';
import { printJson } from './output.ts';
import { withDatabase } from './with-database.ts';

/** `sounder recount`: event_counts, property_counts, person_activity and path_sessions rebuilt from the stored events, after events arrived without a worker. */
export function registerRecountCommand(program: Command): void {
  program.command('recount')
    .description('count the stored events into the rollups again from scratch (event_counts, which plain trends read, property_counts, which their breakdowns by $browser, $os, $device_type, $host, $referring_domain and utm_source read, person_activity, which active users, retention, lifecycle, stickiness and event counts filtered or broken down by person read, and path_sessions, which paths of pageviews or screens read): needed only after events were loaded into the events table without a worker (a restore or an import); workers keep going meanwhile')
    .option('--project <id>', 'only this project (repeatable; default every project)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--json', 'print [{"project_id","events"}] as JSON')
    .action(async (options: { project: string[]; json?: boolean }) => {
      for (const id of options.project) if (!/^\d+$/.test(id)) throw new Error(`--project must be a project id, not ${JSON.stringify(id)}`);
      const counted = await withDatabase(loadConfig(), async (pool) => {
        const ids = options.project.length > 0 ? options.project.map(Number) : (await listProjects(pool)).map((project) => project.id);
        const result: Array<{ project_id: number; events: number }> = [];
        for (const id of ids) {
          result.push({ project_id: id, events: await recountEvents(pool, id) });
          await rebuildPersonActivity(pool, id);
          await rebuildPathSessions(pool, id);
        }
        return result;
      });
      if (options.json) printJson(counted);
      else for (const row of counted) console.log(`project ${row.project_id}: ${row.events} events counted`);
    });
}
