import { clickHousePathsQuery } from '../clickhouse/clickhouse-paths.ts';
import { runEventsQuery } from '../events-query.ts';
import { resolveRange } from '../filters/date-range.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter } from '../insight-filter.ts';
import { SqlParams } from '../sql-params.ts';

export interface PathEdge { source: string; target: string; value: number; average_conversion_time: number }

const sessionGapSeconds = 30 * 60;

/**
 * The path items of each event: the URL of a pageview (without its query string and trailing
 * slash when asked), the screen name of a screen view, or the name of a custom event.
 */
function itemSql(filter: InsightFilter, jsonText: (column: string, key: string) => string): string {
  const url = jsonText('e.properties', "'$current_url'");
  const cleanUrl = filter.path_strip_query ? `regexp_replace(regexp_replace(${url}, '[?#].*$', ''), '(.)/$', '\\1')` : url;
  const parts: string[] = [];
  const types = new Set(filter.include_event_types);
  if (types.has('$pageview')) parts.push(`WHEN e.event = '$pageview' THEN ${cleanUrl}`);
  if (types.has('$screen')) parts.push(`WHEN e.event = '$screen' THEN ${jsonText('e.properties', "'$screen_name'")}`);
  if (types.has('custom_event')) parts.push(`WHEN left(e.event, 1) <> '$' THEN e.event`);
  return `CASE ${parts.join(' ')} END`;
}

function typeCondition(filter: InsightFilter): string {
  const types = new Set(filter.include_event_types);
  const parts: string[] = [];
  if (types.has('$pageview')) parts.push(`e.event = '$pageview'`);
  if (types.has('$screen')) parts.push(`e.event = '$screen'`);
  if (types.has('custom_event')) parts.push(`left(e.event, 1) <> '$'`);
  return `(${parts.join(' OR ')})`;
}

/**
 * Paths: each person's items in time order, cut into sessions (a new `$session_id`, or 30
 * minutes idle), repeats of the same item in a row collapsed, optionally started at
 * `start_point` or ended at `end_point`; the most travelled edges between step i and i + 1.
 * One pass over each person's items in time order marks session starts and repeats; each
 * session's items then become one array, and its edges are read from that.
 */
export async function getPaths(context: InsightContext, filter: InsightFilter): Promise<PathEdge[]> {
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: 'day' });
  const d = context.dialect;
  const params = new SqlParams();
  const names = filter.include_event_types.every((type) => type !== 'custom_event') ? filter.include_event_types : undefined;
  const entities: EntityMatcher[] = names
    ? [{ condition: () => 'TRUE', eventNames: names, namesOnly: true, usesPersons: false, label: 'paths', ownProperties: { type: 'AND', values: [] } }]
    : [];
  const source = eventSource({ context, params, from: range.from, to: range.to, entities, properties: filter.properties, extraConditions: [typeCondition(filter)] });
  const start = filter.start_point ? params.add(filter.start_point) : undefined;
  const end = filter.end_point ? params.add(filter.end_point) : undefined;
  // OFFSET 0 keeps the items a subquery of their own, so they are taken out of the properties
  // before the first sort; flattened into the query, Postgres sorted the whole ~1 kB rows by
  // person and time and read the properties after (10M events: 21 s; materializing them as a
  // CTE, 13 s, most of it writing and reading the tuplestore).
  const text = `WITH items AS (
      SELECT ${eventPersonId} AS person_id, e.timestamp, ${itemSql(filter, d.jsonText)} AS item, ${d.jsonText('e.properties', "'$session_id'")} AS session_id
      FROM ${source} OFFSET 0),
    marked AS (
      SELECT person_id, timestamp, item, session_id, lag(timestamp) OVER w AS previous_time, lag(session_id) OVER w AS previous_session,
             lag(item) OVER w AS previous_item
      FROM items WHERE item IS NOT NULL WINDOW w AS (PARTITION BY person_id ORDER BY timestamp)),
    flagged AS (
      SELECT person_id, timestamp, item, previous_item, previous_time IS NULL OR ${d.secondsBetween('timestamp', 'previous_time')} > ${sessionGapSeconds}
             OR session_id IS DISTINCT FROM previous_session AS new_session
      FROM marked),
    -- A repeat of the item before it in its session is collapsed; the person's previous item is
    -- that one unless this item starts a session.
    sessions AS (
      SELECT person_id, timestamp, item, sum(new_session::int) OVER (PARTITION BY person_id ORDER BY timestamp) AS session
      FROM flagged WHERE new_session OR previous_item IS DISTINCT FROM item),
    paths AS (
      SELECT array_agg(item ORDER BY timestamp) AS items, array_agg(timestamp ORDER BY timestamp) AS times
      FROM sessions GROUP BY person_id, session),
    bounded AS (
      SELECT items, times, ${start ? `array_position(items, ${start})` : '1'} AS first, ${end ? `array_position(items, ${end})` : 'cardinality(items)'} AS last
      FROM paths),
    edges AS (
      SELECT i - first + 1 AS step, items[i] AS source, items[i + 1] AS target, ${d.secondsBetween('times[i + 1]', 'times[i]')} AS seconds
      FROM bounded, generate_series(first, least(last, first + ${params.add(filter.step_limit)}::int - 1) - 1) i
      WHERE first IS NOT NULL AND last IS NOT NULL)
    SELECT step || '_' || source AS source, (step + 1) || '_' || target AS target, count(*) AS value, avg(seconds) * 1000 AS average_conversion_time
    FROM edges
    GROUP BY step, edges.source, edges.target
    ORDER BY value DESC, step, source, target
    LIMIT ${params.add(filter.edge_limit)}`;
  const rows = await runEventsQuery<{ source: string; target: string; value: number | string; average_conversion_time: string | number }>(context, 'insights.paths',
    () => ({ text, values: params.values }), (store) => clickHousePathsQuery(context, store, filter, range, entities));
  return rows.map((row) => ({ source: row.source, target: row.target, value: Number(row.value), average_conversion_time: Number(row.average_conversion_time) }));
}
