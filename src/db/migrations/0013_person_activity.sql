-- Which persons did which event in each 15-minute UTC bucket (the buckets of event_counts),
-- kept by the worker in the transaction that stores the events. Active users, retention,
-- lifecycle and stickiness only ask whether a person was active in a period of a quarter hour
-- or longer, so they read these rows (about one per five events) instead of every event.
-- person_id is the id the events were written with (the md5 of the distinct id for events
-- stored without one): merges are followed through person_overrides at query time, as for events.
CREATE TABLE person_activity (
  project_id integer NOT NULL,
  event text NOT NULL,
  bucket timestamptz NOT NULL,
  person_id uuid NOT NULL,
  PRIMARY KEY (project_id, event, bucket, person_id)
);

INSERT INTO person_activity (project_id, event, bucket, person_id)
SELECT DISTINCT project_id, event, sounder_count_bucket(timestamp), coalesce(person_id, md5(distinct_id)::uuid) FROM events;
