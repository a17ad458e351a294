-- How many events each person_activity row stands for: a count of events filtered or broken
-- down by person (a person property, a cohort) then reads the activity instead of every event.
TRUNCATE person_activity;
ALTER TABLE person_activity ADD COLUMN events integer NOT NULL;
INSERT INTO person_activity (project_id, event, bucket, person_id, events)
SELECT project_id, event, sounder_count_bucket(timestamp), coalesce(person_id, md5(distinct_id)::uuid), count(*) FROM events GROUP BY 1, 2, 3, 4;
