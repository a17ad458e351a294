-- Each person's sessions of pageviews and of screen views, cut as paths cut them (a new
-- $session_id or 30 minutes idle, repeats of an item collapsed; src/query/paths/path-session-cuts.ts),
-- kept by the worker in the transaction that stores the events. Paths over a range then read
-- the arrays of its sessions instead of sorting every pageview of the range by person and time.
-- person_id is the id the events were written with (the md5 of the distinct id for events
-- stored without one; distinct_id names it then): merges are followed at query time, by reading
-- merged persons' paths from the events.
CREATE TABLE path_sessions (
  project_id integer NOT NULL,
  kind text NOT NULL,
  person_id uuid NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  distinct_id text,
  items text[] NOT NULL,
  times timestamptz[] NOT NULL
);
-- A person's sessions, for the worker to find those new events touch.
CREATE INDEX path_sessions_person ON path_sessions (project_id, kind, person_id, first_at);
-- The sessions that end in or after a range, for paths over it.
CREATE INDEX path_sessions_last ON path_sessions (project_id, kind, last_at) INCLUDE (first_at, person_id);

-- The sessions of the events already stored (the cuts as of this migration).
INSERT INTO path_sessions (project_id, kind, person_id, first_at, last_at, distinct_id, items, times)
WITH items AS (
    SELECT e.project_id, e.event AS kind, coalesce(e.person_id, md5(e.distinct_id)::uuid) AS person_id, e.timestamp, e.uuid,
           CASE WHEN e.event = '$pageview' THEN e.properties ->> '$current_url' ELSE e.properties ->> '$screen_name' END AS item,
           e.properties ->> '$session_id' AS session_id, CASE WHEN e.person_id IS NULL THEN e.distinct_id END AS distinct_id
    FROM events e WHERE e.event IN ('$pageview', '$screen')),
  marked AS (
    SELECT project_id, kind, person_id, timestamp, uuid, item, session_id, distinct_id, lag(timestamp) OVER w AS previous_time,
           lag(session_id) OVER w AS previous_session, lag(item) OVER w AS previous_item
    FROM items WHERE item IS NOT NULL WINDOW w AS (PARTITION BY project_id, kind, person_id ORDER BY timestamp, uuid)),
  flagged AS (
    SELECT project_id, kind, person_id, timestamp, uuid, item, distinct_id, previous_item,
           previous_time IS NULL OR extract(epoch FROM (timestamp - previous_time)) > 1800 OR session_id IS DISTINCT FROM previous_session AS new_session
    FROM marked),
  numbered AS (
    SELECT project_id, kind, person_id, timestamp, uuid, item, distinct_id, new_session OR previous_item IS DISTINCT FROM item AS kept,
           sum(new_session::int) OVER (PARTITION BY project_id, kind, person_id ORDER BY timestamp, uuid ROWS UNBOUNDED PRECEDING) AS session
    FROM flagged)
SELECT project_id, kind, person_id, min(timestamp), max(timestamp), max(distinct_id),
       array_agg(item ORDER BY timestamp, uuid) FILTER (WHERE kept), array_agg(timestamp ORDER BY timestamp, uuid) FILTER (WHERE kept)
FROM numbered GROUP BY project_id, kind, person_id, session;
