import type { Pool } from '../../src/db/pool.ts';
import { percentile } from '../ingest/send-requests.ts';
import { addWeeks } from '../../src/partition/weeks.ts';

export interface QueryTimes { oneWeekCountMs: number; fourWeekBreakdownMs: number }

// The two shapes the Insights engine runs most: a count of one event over one week, and a daily
// breakdown by a property over four weeks.
const oneWeekCount = `SELECT count(*) FROM events WHERE project_id = $1 AND event = '$pageview' AND timestamp >= $2 AND timestamp < $3`;
const fourWeekBreakdown = `SELECT date_trunc('day', timestamp) AS day, properties->>'$browser' AS browser, count(*)
  FROM events WHERE project_id = $1 AND event = '$pageview' AND timestamp >= $2 AND timestamp < $3 GROUP BY 1, 2`;

async function median(pool: Pool, sql: string, values: unknown[]): Promise<number> {
  await pool.query(sql, values);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    await pool.query(sql, values);
    times.push(performance.now() - started);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

/** Median of five runs after a warm-up, for the week starting `week` (and the four weeks ending with it). */
export async function timeEventQueries(pool: Pool, projectId: number, week: Date): Promise<QueryTimes> {
  return {
    oneWeekCountMs: await median(pool, oneWeekCount, [projectId, week, addWeeks(week, 1)]),
    fourWeekBreakdownMs: await median(pool, fourWeekBreakdown, [projectId, addWeeks(week, -3), addWeeks(week, 1)]),
  };
}
