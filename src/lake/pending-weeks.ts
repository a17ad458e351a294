import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { clickHouseFirstEventTime } from '../query/clickhouse/clickhouse-list-events.ts';
import { runQuery, type Queryable } from '../db/pool.ts';
import { weekMs, weekStart, weeksBetween } from '../partition/weeks.ts';

/**
 * A week is sealed once it ended `graceDays` ago: events sent late (offline SDKs, clock skew,
 * a backlog) have had that long to arrive. Later ones are not exported.
 */
export function lastSealedWeek(now: Date, graceDays: number): Date {
  return weekStart(new Date(now.getTime() - weekMs - graceDays * 86_400_000));
}

/** The project's sealed weeks from `since` (or its first event) not yet exported to `destination`. */
export async function pendingWeeks(db: Queryable, projectId: number, destination: string, options: { since?: Date; now: Date; graceDays: number; clickhouse?: ClickHouseStore }): Promise<Date[]> {
  const last = lastSealedWeek(options.now, options.graceDays);
  let first = options.since ? weekStart(options.since) : undefined;
  if (!first) {
    const firstEvent = options.clickhouse
      ? await clickHouseFirstEventTime(options.clickhouse, projectId)
      : (await runQuery<{ first: Date | null }>(db, 'lake.first_event', 'SELECT min(timestamp) AS first FROM events WHERE project_id = $1', [projectId])).rows[0]?.first;
    if (!firstEvent) return [];
    first = weekStart(firstEvent);
  }
  if (first > last) return [];
  const { rows: done } = await runQuery<{ week: string }>(db, 'lake.exported_weeks',
    "SELECT to_char(week, 'YYYY-MM-DD') AS week FROM lake_exports WHERE project_id = $1 AND destination = $2 AND week BETWEEN $3::date AND $4::date",
    [projectId, destination, first.toISOString().slice(0, 10), last.toISOString().slice(0, 10)]);
  const exported = new Set(done.map((row) => row.week));
  return weeksBetween(first, last).filter((week) => !exported.has(week.toISOString().slice(0, 10)));
}

export async function recordExportedWeek(db: Queryable, entry: { projectId: number; destination: string; week: Date; rows: number; files: number }): Promise<void> {
  await runQuery(db, 'lake.record_week',
    `INSERT INTO lake_exports (project_id, destination, week, rows, files) VALUES ($1, $2, $3::date, $4, $5)
     ON CONFLICT (project_id, destination, week) DO UPDATE SET rows = excluded.rows, files = excluded.files, exported_at = now()`,
    [entry.projectId, entry.destination, entry.week.toISOString().slice(0, 10), entry.rows, entry.files]);
}
