-- Projects and the keys that reach them.
CREATE TABLE projects (
  id serial PRIMARY KEY,
  name text NOT NULL,
  api_token text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Personal API keys are stored as a SHA-256 of the key; the key itself is shown once.
CREATE TABLE personal_api_keys (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  label text NOT NULL DEFAULT '',
  key_hash bytea NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);

-- Accepted capture requests waiting for a worker: one row per (request, shard).
-- `events` holds the request's events for that shard, normalised, one line each (see
-- src/ingestion/buffer-format.ts).
CREATE TABLE ingestion_buffer (
  id bigserial PRIMARY KEY,
  shard smallint NOT NULL,
  project_id integer NOT NULL,
  received_at timestamptz NOT NULL,
  event_count integer NOT NULL,
  events text NOT NULL
);
CREATE INDEX ingestion_buffer_shard_id ON ingestion_buffer (shard, id);
-- Rows live seconds: compressing them (pglz) would cost capture more CPU than the disk it saves.
ALTER TABLE ingestion_buffer ALTER COLUMN events SET STORAGE EXTERNAL;

CREATE TABLE events (
  uuid uuid NOT NULL,
  project_id integer NOT NULL,
  event text NOT NULL,
  distinct_id text NOT NULL,
  person_id uuid,
  properties jsonb NOT NULL,
  elements_chain text NOT NULL DEFAULT '',
  timestamp timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Unique: a client's retry of an event already stored fails the COPY, and the worker redoes that
-- batch with a duplicate check first (see process-batch.ts); no probe is paid otherwise.
CREATE UNIQUE INDEX events_project_uuid ON events (project_id, uuid);
CREATE INDEX events_project_timestamp ON events (project_id, timestamp DESC);
CREATE INDEX events_project_event_timestamp ON events (project_id, event, timestamp DESC);
CREATE INDEX events_project_distinct_id_timestamp ON events (project_id, distinct_id, timestamp DESC);

CREATE TABLE persons (
  uuid uuid PRIMARY KEY,
  project_id integer NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}',
  is_identified boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0
);
CREATE INDEX persons_project_created ON persons (project_id, created_at DESC, uuid);
CREATE INDEX persons_project_email ON persons (project_id, (properties ->> 'email'));

CREATE TABLE person_distinct_ids (
  project_id integer NOT NULL,
  distinct_id text NOT NULL,
  person_uuid uuid NOT NULL,
  PRIMARY KEY (project_id, distinct_id)
);
CREATE INDEX person_distinct_ids_person ON person_distinct_ids (person_uuid);

-- Events keep the person id they were written with; after a merge that id resolves here.
CREATE TABLE person_overrides (
  project_id integer NOT NULL,
  old_person_uuid uuid NOT NULL,
  override_person_uuid uuid NOT NULL,
  merged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, old_person_uuid)
);
CREATE INDEX person_overrides_override ON person_overrides (project_id, override_person_uuid);

CREATE TABLE group_type_mapping (
  project_id integer NOT NULL,
  group_type text NOT NULL,
  group_type_index smallint NOT NULL,
  PRIMARY KEY (project_id, group_type),
  UNIQUE (project_id, group_type_index)
);

CREATE TABLE groups (
  project_id integer NOT NULL,
  group_type_index smallint NOT NULL,
  group_key text NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, group_type_index, group_key)
);

-- Live workers, for sharing the shards fairly between them.
CREATE TABLE workers (
  id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Buffer rows a worker could not process even alone (a bug or data Postgres refuses), kept
-- with the error for inspection and replay instead of blocking their shard forever.
CREATE TABLE ingestion_dead_letters (
  id bigint PRIMARY KEY,
  shard smallint NOT NULL,
  project_id integer NOT NULL,
  received_at timestamptz NOT NULL,
  event_count integer NOT NULL,
  events text NOT NULL,
  error text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);

-- Date filters compare property values that may not be dates at all; those simply do not match.
CREATE FUNCTION sounder_try_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;
