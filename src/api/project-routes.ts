import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getProjectView, isKnownTimeZone, updateProjectSettings } from '../accounts/project-settings.ts';
import type { Queryable } from '../db/pool.ts';
import { ApiError } from './api-error.ts';
import { authorizeProject } from './authenticate.ts';
import { parseInput } from './parse-query.ts';
import { found } from './route-ids.ts';

const settingsInput = z.object({
  name: z.string().min(1).max(400).optional(),
  /** An IANA zone such as Europe/Berlin: insights' days and weeks begin at its midnight. */
  timezone: z.string().min(1).max(100).optional(),
  week_start_day: z.union([z.literal(0), z.literal(1)]).optional(),
  /** Capture stops storing $ip for this project (within a minute on every web process). */
  anonymize_ips: z.boolean().optional(),
});

export async function registerProjectRoutes(app: FastifyInstance, { db }: { db: Queryable }): Promise<void> {
  app.get<{ Params: { projectId: string } }>('/api/projects/:projectId', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    return found(await getProjectView(db, projectId), 'Project');
  });
  app.patch<{ Params: { projectId: string } }>('/api/projects/:projectId', async (request) => {
    const projectId = await authorizeProject(db, request, request.params.projectId);
    const input = parseInput(settingsInput, request.body);
    if (input.timezone !== undefined && !await isKnownTimeZone(db, input.timezone)) {
      throw new ApiError('invalid_input', `timezone: ${JSON.stringify(input.timezone)} is not a known time zone`, 'timezone');
    }
    return found(await updateProjectSettings(db, projectId, input), 'Project');
  });
}
