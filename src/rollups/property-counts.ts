import { runQuery, type PoolClient, type Queryable } from '../db/pool.ts';
import { correctionShard } from './count-bucket.ts';

/**
 * The event properties property_counts counts events by (migration 0014): the ones trends are
 * most often broken down by whose values are few. SQL's sounder_counted_properties() names the
 * same keys; changing them needs a migration that counts the stored events again.
 */
export const countedProperties: readonly string[] = ['$browser', '$os', '$device_type', '$host', '$referring_domain', 'utm_source'];

const counted = new Set(countedProperties);

export function isCountedProperty(key: string): boolean {
  return counted.has(key);
}

/** Of an event's properties, the counted ones that are set (not null), for the buffer: what the worker counts without parsing the rest. */
export function pickCountedProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of countedProperties) {
    const value = properties[key];
    if (value !== undefined && value !== null) picked[key] = value;
  }
  return picked;
}

/**
 * Events of a project and event in the bucket starting `bucket`, filed under `shard`, whose
 * property `key` is `json` (JSON text of the value; null when missing or null). Postgres turns
 * the JSON into the text ->> gives, so a count matches the stored properties exactly.
 */
export interface PropertyCount { projectId: number; key: string; event: string; bucket: Date; shard: number; json: string | null; events: number }

const addToCounts = 'ON CONFLICT (project_id, key, event, bucket, md5(value), shard) DO UPDATE SET events = property_counts.events + excluded.events';

/** Adds counted events to property_counts, summed into what is there. */
export async function addPropertyCounts(db: Queryable, rows: PropertyCount[]): Promise<void> {
  if (rows.length === 0) return;
  // Grouped again after the JSON becomes text: "5" and 5 are one value to ->>, and one row.
  // No ordering needed: a shard's rows are written only by the worker that holds the shard.
  await runQuery(db, 'rollups.add_property_counts',
    `INSERT INTO property_counts (project_id, key, event, bucket, value, shard, events)
     SELECT project_id, key, event, bucket, json::jsonb #>> '{}', shard, sum(events)
     FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::smallint[], $7::bigint[])
       AS c(project_id, key, event, bucket, json, shard, events)
     GROUP BY 1, 2, 3, 4, 5, 6
     ${addToCounts}`,
    [rows.map((row) => row.projectId), rows.map((row) => row.key), rows.map((row) => row.event), rows.map((row) => row.bucket),
      rows.map((row) => row.json), rows.map((row) => row.shard), rows.map((row) => row.events)]);
}

/** property_counts rows (as a SELECT list's source) of the events rows in `from`, which has project_id, event, timestamp and properties: one per counted key. */
function countsOf(from: string, sign: '' | '-'): string {
  return `SELECT r.project_id, k.key, r.event, sounder_count_bucket(r.timestamp), r.properties ->> k.key, ${correctionShard}, ${sign}count(*)
    FROM ${from} r CROSS JOIN unnest(sounder_counted_properties()) AS k(key)
    GROUP BY 1, 2, 3, 4, 5`;
}

/**
 * A data-modifying WITH item for deleteEventsAndCounts: takes the events in `deleted` (a DELETE's
 * RETURNING project_id, event, timestamp, properties) off property_counts.
 */
export function takePropertyCounts(deleted: string): string {
  return `INSERT INTO property_counts (project_id, key, event, bucket, value, shard, events)
      ${countsOf(deleted, '-')}
      -- Two deletes at once update the same correction rows: in one order, so neither deadlocks.
      ORDER BY 1, 2, 3, 4, 5
      ${addToCounts}`;
}

/** Counts a project's stored events by property again from scratch, inside recountEvents' transaction (which holds the locks). */
export async function recountPropertyCounts(client: PoolClient, projectId: number): Promise<void> {
  await runQuery(client, 'rollups.recount_properties_lock', 'LOCK TABLE property_counts IN SHARE ROW EXCLUSIVE MODE');
  await runQuery(client, 'rollups.recount_properties_clear', 'DELETE FROM property_counts WHERE project_id = $1', [projectId]);
  await runQuery(client, 'rollups.recount_properties',
    `INSERT INTO property_counts (project_id, key, event, bucket, value, shard, events)
     ${countsOf('(SELECT project_id, event, timestamp, properties FROM events WHERE project_id = $1)', '')}`, [projectId]);
}
