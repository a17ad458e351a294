import { inTransaction, runQuery, type Pool, type Queryable } from '../db/pool.ts';
import { personlessPersonId } from '../ingestion/personless-person-id.ts';
import { countBucketMs, countBucketOf } from './count-bucket.ts';

/** One row of person_activity (migrations 0013 and 0015): a person did `event` `events` times in the quarter hour starting `bucket`. */
export interface PersonActivity { projectId: number; event: string; bucket: Date; personId: string; events: number }

/** An events row's person as person_activity files it: the id it was written with, or its distinct id's md5 (what personlessPersonId gives). */
export function activityPersonOf(table = ''): string {
  const column = (name: string) => (table ? `${table}.${name}` : name);
  return `coalesce(${column('person_id')}, md5(${column('distinct_id')})::uuid)`;
}

/** A select list item for deleteEventsAndCounts: `persons`, the activity person ids of the deleted events (their DELETE returns person_id and distinct_id). */
export const deletedActivityPersons = `coalesce(array_agg(DISTINCT ${activityPersonOf()}::text), '{}') AS persons`;

const bucketInterval = `interval '${countBucketMs / 60_000} minutes'`;

/**
 * The activity rows of stored events, as SQL selecting (project_id, event, bucket, person_id,
 * events) from `events` rows that pass `where`, in key order: a hash aggregate hands its groups
 * out in no order, and written so a month of one event's rows lies on every page of the heap
 * and the index grows by random splits (10M events: 344 MB of index instead of 267; a count by
 * person property read 43k heap pages instead of 7k and took 0.26 to 0.35 s instead of 0.17).
 * It is also the order workers add rows in (activityOf), so an insert beside them cannot deadlock.
 */
function activityOfEvents(where: string): string {
  return `SELECT project_id, event, sounder_count_bucket(timestamp), ${activityPersonOf()}, count(*) FROM events WHERE ${where} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
}

/** The activity a batch of events adds, each row once with its events counted, in key order. */
export function activityOf(rows: Array<{ projectId: number; event: string; timestamp: Date; distinctId: string; personId: string | null }>): PersonActivity[] {
  const found = new Map<string, PersonActivity>();
  for (const row of rows) {
    const bucket = countBucketOf(row.timestamp);
    const personId = row.personId ?? personlessPersonId(row.distinctId);
    const key = `${row.projectId}\u0000${row.event}\u0000${bucket.getTime()}\u0000${personId}`;
    const seen = found.get(key);
    if (seen) seen.events++;
    else found.set(key, { projectId: row.projectId, event: row.event, bucket, personId, events: 1 });
  }
  // Two workers adding the same row wait on each other's insert; in one order neither deadlocks.
  return [...found.values()].sort((a, b) => a.projectId - b.projectId || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0)
    || a.bucket.getTime() - b.bucket.getTime() || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
}

/** Adds activity rows, their events summed into rows already there. */
export async function addPersonActivity(db: Queryable, rows: PersonActivity[]): Promise<void> {
  if (rows.length === 0) return;
  await runQuery(db, 'rollups.add_person_activity',
    `INSERT INTO person_activity (project_id, event, bucket, person_id, events)
     SELECT * FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::uuid[], $5::int[])
     ON CONFLICT (project_id, event, bucket, person_id) DO UPDATE SET events = person_activity.events + excluded.events`,
    [rows.map((row) => row.projectId), rows.map((row) => row.event), rows.map((row) => row.bucket), rows.map((row) => row.personId), rows.map((row) => row.events)]);
}

/**
 * After some of a project's events were deleted: counts the activity rows of `personIds` again
 * from the stored events and drops those no event backs any more. A row's events are found
 * through the (project_id, event, timestamp) index, which carries person and distinct ids.
 */
export async function recountActivityOf(db: Queryable, projectId: number, personIds: string[]): Promise<void> {
  if (personIds.length === 0) return;
  await runQuery(db, 'rollups.recount_activity_of',
    `UPDATE person_activity a SET events = (SELECT count(*) FROM events e WHERE e.project_id = a.project_id AND e.event = a.event
         AND e.timestamp >= a.bucket AND e.timestamp < a.bucket + ${bucketInterval} AND ${activityPersonOf('e')} = a.person_id)
     WHERE a.project_id = $1 AND a.person_id = ANY($2::uuid[])`,
    [projectId, personIds]);
  await runQuery(db, 'rollups.forget_unbacked_activity',
    'DELETE FROM person_activity WHERE project_id = $1 AND person_id = ANY($2::uuid[]) AND events = 0', [projectId, personIds]);
}

/**
 * After every event before `cutoff` is gone (retention): activity of the quarter hours that
 * end by then goes, and the quarter hour `cutoff` falls inside (when it is not on an edge) is
 * made again from the events left in it.
 */
export async function forgetActivityBefore(db: Queryable, cutoff: Date, projectId?: number): Promise<void> {
  const edge = countBucketOf(cutoff);
  const project = projectId !== undefined ? ' AND project_id = $2' : '';
  const values = (bound: Date) => (projectId !== undefined ? [bound, projectId] : [bound]);
  await runQuery(db, 'rollups.forget_activity_before', `DELETE FROM person_activity WHERE bucket < $1${project}`, values(edge));
  if (edge.getTime() === cutoff.getTime()) return;
  await runQuery(db, 'rollups.forget_edge_activity', `DELETE FROM person_activity WHERE bucket = $1${project}`, values(edge));
  await runQuery(db, 'rollups.rebuild_edge_activity',
    `INSERT INTO person_activity (project_id, event, bucket, person_id, events)
     ${activityOfEvents(`timestamp >= $1 AND timestamp < $1::timestamptz + ${bucketInterval}${project}`)}`, values(edge));
}

/**
 * A project's activity made again from its stored events, for events that reached `events`
 * without a worker. The table lock holds workers' activity inserts until this commits, so a
 * batch committed after the rebuild's read adds its own rows then.
 */
export async function rebuildPersonActivity(pool: Pool, projectId: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    await runQuery(client, 'rollups.rebuild_activity_lock', 'LOCK TABLE person_activity IN SHARE ROW EXCLUSIVE MODE');
    await runQuery(client, 'rollups.rebuild_activity_clear', 'DELETE FROM person_activity WHERE project_id = $1', [projectId]);
    await runQuery(client, 'rollups.rebuild_activity',
      `INSERT INTO person_activity (project_id, event, bucket, person_id, events) ${activityOfEvents('project_id = $1')}`, [projectId]);
  });
}
