-- Each person's events by name and time: an ordered funnel finds the last first-step event
-- before each second-step event with one probe here, instead of scanning every first-step event
-- of the range (sounder bench queries: the funnel over 10M events). The uuid makes the probe an
-- index-only scan, as it orders ties by it. Events sent without a person profile have no
-- person_id; their probe goes by distinct id.
CREATE INDEX events_project_person_event_timestamp ON events (project_id, person_id, event, timestamp DESC) INCLUDE (uuid);
