-- Insights read days and weeks in the project's time zone; weeks start on Sunday (0) or Monday (1).
ALTER TABLE projects ADD COLUMN timezone text NOT NULL DEFAULT 'UTC';
ALTER TABLE projects ADD COLUMN week_start_day smallint NOT NULL DEFAULT 0 CHECK (week_start_day IN (0, 1));

-- An action is a named OR of steps (event name, URL, element, properties); see src/query/filters/action-condition.ts.
CREATE TABLE actions (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  steps jsonb NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX actions_project ON actions (project_id) WHERE NOT deleted;

-- Dynamic cohorts are recomputed in the background into cohort_people; static ones are a list
-- of persons fixed when their distinct ids were uploaded.
CREATE TABLE cohorts (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  is_static boolean NOT NULL DEFAULT false,
  filters jsonb NOT NULL DEFAULT '{}',
  deleted boolean NOT NULL DEFAULT false,
  person_count integer,
  last_calculated_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cohorts_project ON cohorts (project_id) WHERE NOT deleted;

CREATE TABLE cohort_people (
  cohort_id integer NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  person_uuid uuid NOT NULL,
  PRIMARY KEY (cohort_id, person_uuid)
);

CREATE TABLE insights (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  short_id text NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  filters jsonb NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX insights_project ON insights (project_id, id DESC) WHERE NOT deleted;

CREATE TABLE dashboards (
  id serial PRIMARY KEY,
  project_id integer NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  refresh_seconds integer CHECK (refresh_seconds >= 10),
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboards_project ON dashboards (project_id, id) WHERE NOT deleted;

CREATE TABLE dashboard_tiles (
  id serial PRIMARY KEY,
  dashboard_id integer NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
  insight_id integer NOT NULL REFERENCES insights (id) ON DELETE CASCADE,
  layout jsonb NOT NULL DEFAULT '{}',
  UNIQUE (dashboard_id, insight_id)
);

-- A static cohort is a list of distinct ids; its persons are found (and re-found after merges)
-- by the same background refresh as dynamic cohorts.
CREATE TABLE cohort_static_distinct_ids (
  cohort_id integer NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  distinct_id text NOT NULL,
  PRIMARY KEY (cohort_id, distinct_id)
);
