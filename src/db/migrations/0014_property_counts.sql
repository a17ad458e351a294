-- Events per (project, event, 15-minute bucket, property, value) for the few event properties
-- trends are most often broken down by, kept beside event_counts by the worker in the
-- transaction that stores the events: a breakdown of plain counts by one of them then reads a
-- few rows per bucket instead of every event's properties. value is the property as text (what
-- ->> gives), NULL for events without it or with it null. A worker files its batch's counts
-- under one of the buffer shards it holds, so workers never wait on each other's rows; shard -1
-- holds what deletes take away and what was counted from stored events.
-- The keys are sounder_counted_properties(): src/rollups/property-counts.ts names the same ones,
-- and a change to them needs a migration that counts the stored events again.
CREATE FUNCTION sounder_counted_properties() RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY['$browser', '$os', '$device_type', '$host', '$referring_domain', 'utm_source'];

CREATE TABLE property_counts (
  project_id integer NOT NULL,
  key text NOT NULL,
  event text NOT NULL,
  bucket timestamptz NOT NULL,
  value text,
  shard smallint NOT NULL,
  events bigint NOT NULL
);
-- md5 of the value: a property can be longer than a btree entry may be.
CREATE UNIQUE INDEX property_counts_key ON property_counts (project_id, key, event, bucket, md5(value), shard) NULLS NOT DISTINCT;

INSERT INTO property_counts (project_id, key, event, bucket, value, shard, events)
SELECT e.project_id, k.key, e.event, sounder_count_bucket(e.timestamp), e.properties ->> k.key, -1, count(*)
FROM events e CROSS JOIN unnest(sounder_counted_properties()) AS k(key)
GROUP BY 1, 2, 3, 4, 5;
