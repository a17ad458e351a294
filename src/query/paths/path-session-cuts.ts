import { postgres } from '../dialects/postgres.ts';

/** A new session starts after this long without an item (or with another `$session_id`). */
export const sessionGapSeconds = 30 * 60;

/** An `items` row's columns after its person, from an events row `e` whose path item is the SQL `item`. */
export function pathItemRow(item: string): string {
  return `e.timestamp, e.uuid, ${item} AS item, ${postgres.jsonText('e.properties', "'$session_id'")} AS session_id`;
}

/**
 * CTEs that follow a CTE `items(<keys>, timestamp, uuid, item, session_id, distinct_id)` and
 * end in `sessions(<keys>, items, times[, first_at, last_at, distinct_id])`: the items of each
 * `keys` (a person, or a project's person and event) in time order (uuid breaking ties), cut
 * into sessions (a new `$session_id`, or 30 minutes idle), each repeat of the item before it in
 * its session collapsed into that one. Rows without an item are left out before anything else.
 * With `bounds`, a session also has the times of its first and last item, repeats included
 * (the stretch of time it covers), and the distinct id it carries.
 *
 * The query of paths and the path_sessions rollup both cut sessions here, so the rollup holds
 * exactly the sessions the query would find. PostgreSQL only: ClickHouse cuts its own
 * (clickhouse-paths.ts).
 */
export function pathSessionCuts(keys: string[], bounds: boolean): string {
  const key = keys.join(', ');
  const order = `PARTITION BY ${key} ORDER BY timestamp, uuid`;
  const bounded = bounds ? ', min(timestamp) AS first_at, max(timestamp) AS last_at, max(distinct_id) AS distinct_id' : '';
  return `marked AS (
      SELECT ${key}, timestamp, uuid, item, session_id, distinct_id, lag(timestamp) OVER w AS previous_time,
             lag(session_id) OVER w AS previous_session, lag(item) OVER w AS previous_item
      FROM items WHERE item IS NOT NULL WINDOW w AS (${order})),
    flagged AS (
      SELECT ${key}, timestamp, uuid, item, distinct_id, previous_item,
             previous_time IS NULL OR ${postgres.secondsBetween('timestamp', 'previous_time')} > ${sessionGapSeconds} OR session_id IS DISTINCT FROM previous_session AS new_session
      FROM marked),
    numbered AS (
      SELECT ${key}, timestamp, uuid, item, distinct_id, new_session OR previous_item IS DISTINCT FROM item AS kept,
             sum(new_session::int) OVER (${order} ROWS UNBOUNDED PRECEDING) AS session
      FROM flagged),
    sessions AS (
      SELECT ${key}, array_agg(item ORDER BY timestamp, uuid) FILTER (WHERE kept) AS items,
             array_agg(timestamp ORDER BY timestamp, uuid) FILTER (WHERE kept) AS times${bounded}
      FROM numbered GROUP BY ${key}, session)`;
}
