import type { PathSessionKind } from '../../rollups/path-sessions.ts';
import { eventPersonId } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter } from '../insight-filter.ts';
import type { SqlParams } from '../sql-params.ts';
import { pathItemSql } from './path-items.ts';
import { pathItemRow, pathSessionCuts } from './path-session-cuts.ts';

/**
 * The kind of path_sessions a paths query can read instead of its events: a Postgres store,
 * pageviews alone or screens alone, items as sent (stripping query strings could join items
 * the rollup keeps apart), and no property filter (the rollup holds no properties).
 */
export function storedPathKind(context: InsightContext, filter: InsightFilter): PathSessionKind | undefined {
  if (!context.pathSessions || context.clickhouse || filter.path_strip_query || filter.properties.values.length > 0) return undefined;
  const [kind, ...others] = new Set(filter.include_event_types);
  return others.length === 0 && (kind === '$pageview' || kind === '$screen') ? kind : undefined;
}

/**
 * CTEs ending in `paths(items, times)`: the sessions over [from, to) of one kind, from
 * path_sessions where it has them whole. A person's sessions are cut from the events instead
 * when one of them spans a bound of the range (only its part inside counts) or when the person
 * took part in a merge (their sessions are filed under the id each event was written with, and
 * the merged person's must be cut from the events of both). Those are few, and their events are
 * found through the (project, person, event, time) index, or by distinct id for events stored
 * without a person id.
 */
export function storedPathSessions(context: InsightContext, params: SqlParams, kind: PathSessionKind, from: Date, to: Date): string {
  const project = params.add(context.project.id);
  const event = params.add(kind);
  const start = `${params.add(from)}::timestamptz`;
  const end = `${params.add(to)}::timestamptz`;
  const item = pathItemSql([kind], false, context.dialect.jsonText);
  const events = (condition: string) => `SELECT ${eventPersonId} AS person_id, ${pathItemRow(item)}, NULL::text AS distinct_id
      FROM events e LEFT JOIN person_overrides o ON o.project_id = e.project_id AND o.old_person_uuid = e.person_id
      WHERE e.project_id = ${project} AND e.event = ${event} AND e.timestamp >= ${start} AND e.timestamp < ${end} AND ${condition}`;
  const sessions = `path_sessions s WHERE s.project_id = ${project} AND s.kind = ${event}`;
  // Persons and bounds come from the (project, kind, last_at) index alone; only the sessions
  // read whole touch the table, once.
  return `cut_persons AS (
      SELECT s.person_id FROM ${sessions} AND s.last_at >= ${start} AND s.first_at < ${end} AND (s.first_at < ${start} OR s.last_at >= ${end})
      UNION SELECT old_person_uuid FROM person_overrides WHERE project_id = ${project}
      UNION SELECT override_person_uuid FROM person_overrides WHERE project_id = ${project}),
    cut_distinct_ids AS (
      SELECT DISTINCT s.distinct_id FROM ${sessions} AND s.person_id IN (SELECT person_id FROM cut_persons)
      AND s.distinct_id IS NOT NULL AND s.last_at >= ${start} AND s.first_at < ${end}),
    items AS (
      ${events('e.person_id IN (SELECT person_id FROM cut_persons)')}
      UNION ALL
      ${events('e.person_id IS NULL AND e.distinct_id IN (SELECT distinct_id FROM cut_distinct_ids)')}),
    ${pathSessionCuts(['person_id'], false)},
    paths AS (
      SELECT items, times FROM sessions
      UNION ALL
      SELECT s.items, s.times FROM ${sessions} AND s.first_at >= ${start} AND s.last_at < ${end} AND s.person_id NOT IN (SELECT person_id FROM cut_persons))`;
}
