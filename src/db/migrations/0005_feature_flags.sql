-- A flag's release conditions, variants and payloads live in `filters`, in PostHog's shape
-- (see src/flags/flag-definition.ts), so the SDKs' local evaluation reads them unchanged.
CREATE TABLE feature_flags (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  key text NOT NULL,
  name text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true,
  filters jsonb NOT NULL,
  ensure_experience_continuity boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A deleted flag frees its key for a new one.
CREATE UNIQUE INDEX feature_flags_project_key ON feature_flags (project_id, key) WHERE NOT deleted;

-- Experience continuity: once an anonymous id is identified, flags that ask for it keep hashing
-- the anonymous id, so the person keeps the answer they had before logging in. Keyed by distinct
-- id, not person, because the identify event may not have reached a worker yet when /flags asks.
CREATE TABLE feature_flag_hash_key_overrides (
  project_id integer NOT NULL,
  distinct_id text NOT NULL,
  flag_key text NOT NULL,
  hash_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, distinct_id, flag_key)
);
