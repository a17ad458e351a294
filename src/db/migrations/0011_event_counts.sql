-- Events per (project, event, 15-minute UTC bucket), kept by the worker in the transaction that
-- stores the events, so a trends total reads a few thousand rows instead of millions of events.
-- Fifteen minutes because every time zone's offset is a multiple of it: each bucket lies inside
-- one local hour and one local day. One row per buffer shard, as a shard has one writing worker
-- at a time and workers then never wait on each other's rows; shard -1 holds what deletes take
-- away (negative counts) and what was counted from events already stored.
CREATE FUNCTION sounder_count_bucket(t timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_timestamp(floor(extract(epoch FROM t) / 900) * 900);

CREATE TABLE event_counts (
  project_id integer NOT NULL,
  event text NOT NULL,
  bucket timestamptz NOT NULL,
  shard smallint NOT NULL,
  events bigint NOT NULL,
  PRIMARY KEY (project_id, event, bucket, shard)
);

INSERT INTO event_counts (project_id, event, bucket, shard, events)
SELECT project_id, event, sounder_count_bucket(timestamp), -1, count(*) FROM events GROUP BY 1, 2, 3;
