import { countBucketOf } from '../rollups/count-bucket.ts';
import type { EventCount } from '../rollups/event-counts.ts';
import { countedProperties, type PropertyCount } from '../rollups/property-counts.ts';
import type { BufferedEvent } from './buffered-batch.ts';
import { shardFor } from './shards.ts';

/**
 * The event_counts rows a batch adds: events per project, event, bucket and buffer shard. The
 * shard is the one the web tier filed the event under, so only its owning worker writes the row.
 */
export function countEvents(rows: BufferedEvent[]): EventCount[] {
  const counts = new Map<string, EventCount>();
  for (const row of rows) {
    const bucket = countBucketOf(row.timestamp);
    const shard = shardFor(row.projectId, row.distinctId);
    const key = `${row.projectId}\u0000${row.event}\u0000${bucket.getTime()}\u0000${shard}`;
    const found = counts.get(key);
    if (found) found.events++;
    else counts.set(key, { projectId: row.projectId, event: row.event, bucket, shard, events: 1 });
  }
  return [...counts.values()];
}

/**
 * The property_counts rows a batch adds: events per project, counted key, event, bucket and
 * value (as JSON; null when not set), all filed under `shard`, one of the shards the worker
 * holds: no other worker writes under it meanwhile, and one shard per batch keeps the rows
 * few (a row per buffer shard would multiply them by the shards in the batch).
 */
export function countProperties(rows: BufferedEvent[], shard: number): PropertyCount[] {
  const counts = new Map<string, PropertyCount>();
  for (const row of rows) {
    const bucket = countBucketOf(row.timestamp);
    for (const key of countedProperties) {
      const value = row.countedProperties[key];
      const json = value === undefined || value === null ? null : JSON.stringify(value);
      const id = `${row.projectId}\u0000${key}\u0000${row.event}\u0000${bucket.getTime()}\u0000${json ?? ''}`;
      const found = counts.get(id);
      if (found) found.events++;
      else counts.set(id, { projectId: row.projectId, key, event: row.event, bucket, shard, json, events: 1 });
    }
  }
  return [...counts.values()];
}
