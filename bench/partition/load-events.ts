import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool } from '../../src/db/pool.ts';
import { recountEvents } from '../../src/rollups/event-counts.ts';
import { rebuildPathSessions } from '../../src/rollups/path-sessions.ts';
import { rebuildPersonActivity } from '../../src/rollups/person-activity.ts';
import { createCopyRowBuilder } from '../ingest/prepare-requests.ts';
import { generateWorkload } from '../workload/generate-workload.ts';

/** Streams `events` standard-workload events straight into `events` with COPY (the dataset a conversion starts from), and counts them into event_counts and person_activity and cuts their path_sessions. */
export async function loadWorkloadEvents(pool: Pool, projectId: number, options: { events: number; seed: number; spanDays: number }, log: (line: string) => void): Promise<number> {
  const copyRow = createCopyRowBuilder(projectId, options.seed);
  const started = performance.now();
  function* chunks(): Generator<string> {
    let chunk = '';
    let rows = 0;
    for (const event of generateWorkload(options)) {
      chunk += copyRow(event);
      if (++rows % 1_000_000 === 0) log(`loaded ${rows} events (${Math.round(rows / ((performance.now() - started) / 1000))}/s)`);
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  const client = await pool.connect();
  try {
    await pipeline(Readable.from(chunks()), client.query(copyFrom(
      'COPY events (uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp) FROM STDIN')));
    // The worker counts the events it stores; these came in without one.
    await recountEvents(pool, projectId);
    await rebuildPersonActivity(pool, projectId);
    await rebuildPathSessions(pool, projectId);
    await client.query('ANALYZE events');
    await client.query('ANALYZE event_counts');
    await client.query('ANALYZE person_activity');
    await client.query('ANALYZE path_sessions');
  } finally {
    client.release();
  }
  return (performance.now() - started) / 1000;
}
