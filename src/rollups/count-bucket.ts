/** The width of a rollup bucket (event_counts, property_counts, person_activity; see migration 0011): every time zone's offset is a multiple of it. */
export const countBucketMs = 15 * 60_000;

/** The shard of event_counts and property_counts rows that no worker writes: what deletes took away, and recounts of stored events. */
export const correctionShard = -1;

/** The start of the rollup bucket holding `time`, the same as SQL's sounder_count_bucket. */
export function countBucketOf(time: Date): Date {
  return new Date(Math.floor(time.getTime() / countBucketMs) * countBucketMs);
}
