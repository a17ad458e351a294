import { createHash } from 'node:crypto';
import { inConnectionTransaction, inTransaction, runQuery, type Connection, type Pool, type Queryable } from '../db/pool.ts';
import { personlessPersonId } from '../ingestion/personless-person-id.ts';
import { postgres } from '../query/dialects/postgres.ts';
import { pathItemSql } from '../query/paths/path-items.ts';
import { pathItemRow, pathSessionCuts, sessionGapSeconds } from '../query/paths/path-session-cuts.ts';
import { activityPersonOf } from './person-activity.ts';

/** The events whose sessions path_sessions holds (migration 0017): one kind of session each. */
export const pathSessionKinds = ['$pageview', '$screen'] as const;
export type PathSessionKind = typeof pathSessionKinds[number];

/**
 * A stretch of one person's time whose sessions are cut again from the stored events. Bounds
 * are text (Postgres' own rendering, or `-infinity`/`infinity`), so microseconds survive the
 * round trip through JavaScript. `distinctId`: for a person id that is the md5 of a distinct
 * id, that id, so events of it stored without a person id are read as well.
 */
export interface PathRegion { projectId: number; kind: PathSessionKind; personId: string; distinctId: string | null; from: string; to: string }

const itemRow = pathItemRow(pathItemSql(pathSessionKinds, false, postgres.jsonText));
const gapMs = sessionGapSeconds * 1000;

/**
 * The regions a batch of new events touches: for each person and kind, from 30 minutes before
 * its first new event to 30 minutes after its last. An item further away than that from every
 * new event keeps its place in its session, as no new event can come between it and the item
 * before it.
 */
export function pathRegionsOf(rows: Array<{ projectId: number; event: string; timestamp: Date; distinctId: string; personId: string | null }>): PathRegion[] {
  const found = new Map<string, { region: PathRegion; first: number; last: number }>();
  for (const row of rows) {
    if (!(pathSessionKinds as readonly string[]).includes(row.event)) continue;
    const personId = row.personId ?? personlessPersonId(row.distinctId);
    const key = `${row.projectId}\u0000${row.event}\u0000${personId}`;
    const time = row.timestamp.getTime();
    const seen = found.get(key);
    if (seen) {
      seen.first = Math.min(seen.first, time);
      seen.last = Math.max(seen.last, time);
    } else {
      const personless = personId === personlessPersonId(row.distinctId);
      const region: PathRegion = { projectId: row.projectId, kind: row.event as PathSessionKind, personId, distinctId: personless ? row.distinctId : null, from: '', to: '' };
      found.set(key, { region, first: time, last: time });
    }
  }
  return [...found.values()].map(({ region, first, last }) => ({
    ...region, from: new Date(first - gapMs).toISOString(), to: new Date(last + gapMs).toISOString(),
  }));
}

/** A 64-bit advisory lock key per (project, person): whoever cuts a person's sessions holds it. */
function lockKey(projectId: number, personId: string): bigint {
  return createHash('sha1').update(`path_sessions:${projectId}:${personId}`).digest().readBigInt64BE(0);
}

const regionColumns = (regions: PathRegion[]) => [
  regions.map((region) => region.projectId), regions.map((region) => region.kind), regions.map((region) => region.personId),
  regions.map((region) => region.distinctId), regions.map((region) => region.from), regions.map((region) => region.to),
];
const regionRows = 'unnest($1::int[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[])';
const overlaps = 's.project_id = r.project_id AND s.kind = r.kind AND s.person_id = r.person_id AND s.first_at <= r.hi AND s.last_at >= r.lo';

/**
 * Widens each region until it holds every stored session it overlaps whole (a session is cut
 * again from all its events or not at all). A region that grew is looked at once more, for a
 * session that shares the instant one of the new bounds ends or starts; sessions overlap at
 * nothing else, so that round finds none but in a tie.
 */
async function widenToSessions(db: Queryable, regions: PathRegion[]): Promise<PathRegion[]> {
  const widened = regions.map((region) => ({ ...region }));
  let open = widened;
  while (open.length > 0) {
    const { rows } = await runQuery<{ i: number; lo: string; hi: string; distinct_id: string | null; grew: boolean }>(db, 'rollups.widen_path_regions',
      `SELECT r.i::int AS i, least(r.lo, min(s.first_at))::text AS lo, greatest(r.hi, max(s.last_at))::text AS hi, max(s.distinct_id) AS distinct_id,
              min(s.first_at) < r.lo OR max(s.last_at) > r.hi AS grew
       FROM ${regionRows} WITH ORDINALITY r(project_id, kind, person_id, distinct_id, lo, hi, i)
       JOIN path_sessions s ON ${overlaps}
       GROUP BY r.i, r.lo, r.hi`, regionColumns(open));
    const next: typeof widened = [];
    for (const row of rows) {
      const region = open[row.i - 1]!;
      region.from = row.lo;
      region.to = row.hi;
      region.distinctId ??= row.distinct_id;
      if (row.grew) next.push(region);
    }
    open = next;
  }
  return widened;
}

/**
 * Cuts the sessions of each region again from the stored events, in the caller's transaction:
 * the sessions it overlaps go, and those of its events take their place. The persons' advisory
 * locks (taken in key order, after every other lock the caller holds but before the table's)
 * keep two workers from cutting one person's sessions at once, each blind to the other's
 * uncommitted events; once a worker has the lock, its next statement sees what the other
 * committed.
 */
export async function cutPathSessions(db: Queryable, regions: PathRegion[]): Promise<void> {
  if (regions.length === 0) return;
  const keys = [...new Set(regions.map((region) => lockKey(region.projectId, region.personId)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await runQuery(db, 'rollups.lock_path_persons', 'SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) k', [keys.map(String)]);
  // Before reading any session: a rebuild in progress (rebuildPathSessions) is waited for, so
  // the sessions read below are the rebuild's and not the ones it replaced.
  await runQuery(db, 'rollups.lock_path_sessions', 'LOCK TABLE path_sessions IN ROW EXCLUSIVE MODE');
  const widened = await widenToSessions(db, regions);
  await runQuery(db, 'rollups.cut_path_sessions',
    `WITH regions AS (SELECT * FROM ${regionRows} r(project_id, kind, person_id, distinct_id, lo, hi)),
       gone AS (DELETE FROM path_sessions s USING regions r WHERE ${overlaps}),
       items AS (
         SELECT r.project_id, r.kind, r.person_id, ${itemRow}, NULL::text AS distinct_id
         FROM regions r JOIN events e ON e.project_id = r.project_id AND e.person_id = r.person_id AND e.event = r.kind AND e.timestamp BETWEEN r.lo AND r.hi
         UNION ALL
         SELECT r.project_id, r.kind, r.person_id, ${itemRow}, e.distinct_id
         FROM regions r JOIN events e ON e.project_id = r.project_id AND e.distinct_id = r.distinct_id AND e.event = r.kind AND e.timestamp BETWEEN r.lo AND r.hi
         WHERE e.person_id IS NULL AND md5(e.distinct_id)::uuid = r.person_id),
       ${pathSessionCuts(['project_id', 'kind', 'person_id'], true)}
     INSERT INTO path_sessions (project_id, kind, person_id, first_at, last_at, distinct_id, items, times)
     SELECT project_id, kind, person_id, first_at, last_at, distinct_id, items, times FROM sessions`, regionColumns(widened));
}

/** After some of a project's events were deleted: the sessions of `personIds` (as path_sessions files them) cut again from the events left. */
export async function recutPathSessionsOf(db: Queryable, projectId: number, personIds: string[]): Promise<void> {
  await cutPathSessions(db, personIds.flatMap((personId) => pathSessionKinds.map((kind) => ({ projectId, kind, personId, distinctId: null, from: '-infinity', to: 'infinity' }))));
}

/**
 * After every event before `cutoff` is gone (retention): sessions that ended before it go, and
 * one that spans it is cut again from the events it has left (their first now starts it). The
 * callers run outside a transaction; the cut takes one of its own, for its locks.
 */
export async function forgetPathSessionsBefore(db: Connection, cutoff: Date, projectId?: number): Promise<void> {
  const project = projectId !== undefined ? ' AND project_id = $2' : '';
  const values = projectId !== undefined ? [cutoff, projectId] : [cutoff];
  await runQuery(db, 'rollups.forget_path_sessions_before', `DELETE FROM path_sessions WHERE last_at < $1${project}`, values);
  await inConnectionTransaction(db, async () => {
    const { rows } = await runQuery<{ project_id: number; kind: PathSessionKind; person_id: string; distinct_id: string | null; last_at: string }>(db,
      'rollups.path_sessions_across', `SELECT project_id, kind, person_id, distinct_id, last_at::text FROM path_sessions WHERE first_at < $1${project}`, values);
    await cutPathSessions(db, rows.map((row) => ({ projectId: row.project_id, kind: row.kind, personId: row.person_id, distinctId: row.distinct_id, from: cutoff.toISOString(), to: row.last_at })));
  });
}

/** SQL selecting (project_id, kind, person_id, first_at, last_at, distinct_id, items, times): the sessions of the stored events that pass `condition` (on `e`), cut whole. */
export function storedEventSessions(condition: string): string {
  return `WITH items AS (
      SELECT e.project_id, e.event AS kind, ${activityPersonOf('e')} AS person_id, ${itemRow}, CASE WHEN e.person_id IS NULL THEN e.distinct_id END AS distinct_id
      FROM events e WHERE e.event IN (${pathSessionKinds.map((kind) => `'${kind}'`).join(', ')}) AND ${condition}),
    ${pathSessionCuts(['project_id', 'kind', 'person_id'], true)}
    SELECT project_id, kind, person_id, first_at, last_at, distinct_id, items, times FROM sessions`;
}

/**
 * A project's sessions cut again from all its stored events, for events that reached `events`
 * without a worker. The table lock holds workers' cuts until this commits; a worker's cut after
 * it starts from these sessions and sees the events it stored.
 */
export async function rebuildPathSessions(pool: Pool, projectId: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    await runQuery(client, 'rollups.rebuild_path_sessions_lock', 'LOCK TABLE path_sessions IN SHARE ROW EXCLUSIVE MODE');
    await runQuery(client, 'rollups.rebuild_path_sessions_clear', 'DELETE FROM path_sessions WHERE project_id = $1', [projectId]);
    await runQuery(client, 'rollups.rebuild_path_sessions',
      `INSERT INTO path_sessions (project_id, kind, person_id, first_at, last_at, distinct_id, items, times) ${storedEventSessions('e.project_id = $1')}`, [projectId]);
  });
}
