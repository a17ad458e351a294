-- Distinct ids whose events were stored without a person profile (posthog-js
-- `person_profiles: 'identified_only'` before identify). Their events carry a person id derived
-- from the distinct id; when the id later joins a person, an override points that id at the
-- person so the earlier events count as theirs.
-- An id joined to a person by another shard's event ($anon_distinct_id, alias) gets a row here
-- too, as a claim: a worker storing personless events for that id at the same moment then
-- waits on the row and sees the new person (see src/ingestion/write-personless.ts).
CREATE TABLE personless_distinct_ids (
  project_id integer NOT NULL,
  distinct_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, distinct_id)
);
