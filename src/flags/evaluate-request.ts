import type { Queryable } from '../db/pool.ts';
import type { FlagDefinitionsCache } from './flag-definitions-cache.ts';
import { evaluateFlag, type FlagResult, type FlagSubject } from './evaluate-flags.ts';
import { loadFlagSubject, needsStoredData, requestOnlySubject, type FlagsRequest } from './load-flag-subject.ts';

export interface FlagsOutcome { results: FlagResult[]; errorsWhileComputingFlags: boolean }

type Log = { warn: (object: object, message: string) => void };

/**
 * Every flag of the project (or those asked for) for one /flags request. When the database
 * cannot be read, flags that need stored data are left out and the answer says
 * `errorsWhileComputingFlags`, as PostHog does, so SDKs keep their last values for those.
 */
export async function evaluateFlagsRequest(db: Queryable, cache: FlagDefinitionsCache, projectId: number, request: FlagsRequest, log: Log): Promise<FlagsOutcome> {
  let definitions;
  try {
    definitions = await cache.get(projectId);
  } catch (error) {
    log.warn({ err: error }, 'flags: could not load flag definitions');
    return { results: [], errorsWhileComputingFlags: true };
  }
  const wanted = request.flagKeys ? new Set(request.flagKeys) : undefined;
  let flags = wanted ? definitions.flags.filter((flag) => wanted.has(flag.key)) : definitions.flags;
  let subject: FlagSubject;
  let errorsWhileComputingFlags = false;
  try {
    subject = await loadFlagSubject(db, definitions, request, flags);
  } catch (error) {
    log.warn({ err: error }, 'flags: could not load the person for flag evaluation');
    errorsWhileComputingFlags = true;
    subject = requestOnlySubject(definitions, request);
    flags = flags.filter((flag) => !needsStoredData(flag));
  }
  return { results: flags.map((flag) => evaluateFlag(definitions, flag, subject)), errorsWhileComputingFlags };
}
