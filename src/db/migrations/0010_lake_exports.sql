-- Weeks of events written to a data lake directory by `sounder export` (or the maintenance
-- loop), so each run writes only sealed weeks it has not written there before.
CREATE TABLE lake_exports (
  project_id integer NOT NULL,
  destination text NOT NULL,
  week date NOT NULL,
  rows bigint NOT NULL,
  files integer NOT NULL,
  exported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, destination, week)
);
