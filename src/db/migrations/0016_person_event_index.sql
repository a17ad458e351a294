-- Each person's events by name and time: an ordered funnel finds the last first-step event
-- before each second-step event with one probe here, instead of scanning every first-step event
-- of the range (sounder bench queries: the funnel over 10M events). The probe reads the time
-- and uuid, so it is an index-only scan. Events stored without a person id (loaded without a
-- worker) are probed by distinct id instead.
CREATE INDEX events_project_person_event_timestamp ON events (project_id, person_id, event, timestamp DESC) INCLUDE (uuid);
