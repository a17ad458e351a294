-- Dedup by uuid moves out of the unique index: a partitioned table can only enforce uniqueness
-- on keys that contain its partition keys (event, timestamp). The worker now probes for an
-- earlier copy of each event within a day of its timestamp before COPY (write-events.ts); this
-- index serves that probe and refuses exact copies outright, in every layout.
CREATE UNIQUE INDEX events_project_uuid_time ON events (project_id, uuid, timestamp, event);
DROP INDEX events_project_uuid;

-- The current layout of `events`. One row. `table_prefix` names the tables of the current
-- generation (weekly partitions created later by maintenance use it too).
CREATE TABLE event_layout (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  generation integer NOT NULL DEFAULT 0,
  layout jsonb NOT NULL DEFAULT '{"kind": "plain"}',
  table_prefix text NOT NULL DEFAULT 'events',
  weeks_ahead integer NOT NULL DEFAULT 4 CHECK (weeks_ahead BETWEEN 1 AND 52),
  retain_weeks integer CHECK (retain_weeks > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO event_layout DEFAULT VALUES;

ALTER TABLE projects ADD COLUMN retain_weeks integer CHECK (retain_weeks > 0);

-- One row per `sounder partition` run; its id is the generation of the tables it builds.
CREATE TABLE event_layout_conversions (
  id serial PRIMARY KEY,
  target jsonb NOT NULL,
  source jsonb NOT NULL,
  new_table text NOT NULL,
  retired_table text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('building', 'copying', 'indexing', 'catching_up', 'switched', 'done', 'rolled_back')),
  rows_total bigint NOT NULL DEFAULT 0,
  rows_copied bigint NOT NULL DEFAULT 0,
  capture_lock_ms double precision,
  switch_lock_ms double precision,
  switch_wait_ms double precision,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- Writes to `events` during a conversion, replayed onto the new table before the switch-over.
-- Empty at all other times.
CREATE TABLE event_conversion_changes (
  seq bigserial PRIMARY KEY,
  op "char" NOT NULL,
  uuid uuid NOT NULL,
  project_id integer NOT NULL,
  event text NOT NULL,
  distinct_id text NOT NULL,
  person_id uuid,
  properties jsonb NOT NULL,
  elements_chain text NOT NULL,
  timestamp timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE FUNCTION sounder_capture_event_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_conversion_changes (op, uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp, created_at)
  SELECT 'i', uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp, created_at FROM inserted_rows;
  RETURN NULL;
END $$;

CREATE FUNCTION sounder_capture_event_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_conversion_changes (op, uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp, created_at)
  SELECT 'd', uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp, created_at FROM deleted_rows;
  RETURN NULL;
END $$;

-- Updates and truncates could not be replayed faithfully; nothing in Sounder issues them, and
-- during a conversion they are refused rather than silently lost.
CREATE FUNCTION sounder_refuse_event_rewrites() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events cannot be updated or truncated while `sounder partition` converts the table' USING ERRCODE = '55000';
END $$;
