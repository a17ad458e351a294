import { clickHousePathsQuery } from '../clickhouse/clickhouse-paths.ts';
import { runEventsQuery } from '../events-query.ts';
import { resolveRange, type ResolvedRange } from '../filters/date-range.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter } from '../insight-filter.ts';
import { SqlParams } from '../sql-params.ts';
import { pathItemSql, pathTypeCondition } from './path-items.ts';
import { pathItemRow, pathSessionCuts } from './path-session-cuts.ts';
import { storedPathKind, storedPathSessions } from './stored-path-sessions.ts';

export interface PathEdge { source: string; target: string; value: number; average_conversion_time: number }

/**
 * CTEs ending in `paths(items, times)`: every session over the range cut from the events that
 * pass the filter. OFFSET 0 keeps the items a subquery of their own, so they are taken out of
 * the properties before the first sort; flattened into the query, Postgres sorted the whole
 * ~1 kB rows by person and time and read the properties after (10M events: 21 s; materializing
 * them as a CTE, 13 s, most of it writing and reading the tuplestore).
 */
function eventPathSessions(context: InsightContext, params: SqlParams, filter: InsightFilter, range: ResolvedRange, entities: EntityMatcher[]): string {
  const d = context.dialect;
  const source = eventSource({ context, params, from: range.from, to: range.to, entities, properties: filter.properties, extraConditions: [pathTypeCondition(filter.include_event_types)] });
  return `items AS (
      SELECT ${eventPersonId} AS person_id, ${pathItemRow(pathItemSql(filter.include_event_types, filter.path_strip_query, d.jsonText))}, NULL::text AS distinct_id
      FROM ${source} OFFSET 0),
    ${pathSessionCuts(['person_id'], false)},
    paths AS (SELECT items, times FROM sessions)`;
}

/**
 * Paths: each person's items in time order, cut into sessions (a new `$session_id`, or 30
 * minutes idle), repeats of the same item in a row collapsed, optionally started at
 * `start_point` or ended at `end_point`; the most travelled edges between step i and i + 1.
 * Each session's items are one array (cut from the events, or read from path_sessions when it
 * holds them), and its edges are read from that.
 */
export async function getPaths(context: InsightContext, filter: InsightFilter): Promise<PathEdge[]> {
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: 'day' });
  const d = context.dialect;
  const params = new SqlParams();
  const names = filter.include_event_types.every((type) => type !== 'custom_event') ? filter.include_event_types : undefined;
  const entities: EntityMatcher[] = names
    ? [{ condition: () => 'TRUE', eventNames: names, namesOnly: true, usesPersons: false, label: 'paths', ownProperties: { type: 'AND', values: [] } }]
    : [];
  const start = filter.start_point ? params.add(filter.start_point) : undefined;
  const end = filter.end_point ? params.add(filter.end_point) : undefined;
  const stored = storedPathKind(context, filter);
  const text = `WITH ${stored ? storedPathSessions(context, params, stored, range.from, range.to) : eventPathSessions(context, params, filter, range, entities)},
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
