import { clickHouseLiteral } from '../../clickhouse/clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import { propertiesFromColumns } from '../../clickhouse/property-arrays.ts';
import { runQuery, type Queryable } from '../../db/pool.ts';
import { personlessPersonId } from '../../ingestion/personless-person-id.ts';
import type { EventRecord, ListEventsInput } from '../events/list-events.ts';
import { queryClickHouseEvents } from '../events-query.ts';
import { clickHouseEventSource, clickHouseOverrides, clickHousePersonId } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';

/** An event's time in milliseconds: DateTime holds seconds, timestamp_ms the rest. */
export const eventTimeMs = '(toUInt64(toUnixTimestamp(timestamp)) * 1000 + timestamp_ms)';

export interface StoredEventRow {
  event_uuid: string; event: string; distinct_id: string; person: string; time_ms: string; inserted_at: string;
  prop_keys: string[]; prop_values: string[]; prop_types: number[]; prop_null_keys: string[]; elements_chain: string;
}

/**
 * The columns an EventRecord is made of, `person` being the expression of the event's person.
 * Aliases differ from the columns: 18.16 takes `toString(uuid) AS uuid` for a cyclic alias.
 */
export const storedEventColumns = (person: string) => `toString(uuid) AS event_uuid, event, distinct_id, toString(${person}) AS person,
  ${eventTimeMs} AS time_ms, toUnixTimestamp(inserted_at) AS inserted_at, prop_keys, prop_values, prop_types, prop_null_keys, elements_chain`;

// Postgres' to_char(... 'US') prints microseconds; ClickHouse keeps milliseconds.
const microsecondText = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000Z`;

/** A stored event as the API shows it, the same as Postgres' rows: a personless event has no person id. */
export function eventRecordOf(row: StoredEventRow): EventRecord {
  return {
    id: row.event_uuid,
    uuid: row.event_uuid,
    event: row.event,
    distinct_id: row.distinct_id,
    person_id: row.person === personlessPersonId(row.distinct_id) ? null : row.person,
    properties: propertiesFromColumns(row),
    elements_chain: row.elements_chain,
    timestamp: microsecondText(Number(row.time_ms)),
    created_at: microsecondText(Number(row.inserted_at) * 1000),
  };
}

/**
 * listEvents on ClickHouse. Two steps, because 18.16 reads every selected column of every row
 * it sorts: first the page's uuids and times from the narrow columns the filters need, then
 * the whole rows of just those events.
 */
export async function clickHouseListEvents(db: Queryable, store: ClickHouseStore, input: ListEventsInput): Promise<EventRecord[]> {
  const params = new ClickHouseParams();
  const distinctIds = input.distinctId !== undefined ? [input.distinctId] : [];
  if (input.personId !== undefined) {
    // Every id of the person, merged ones included: events keep the id they were sent with.
    const { rows } = await runQuery<{ distinct_id: string }>(db, 'api.person_distinct_ids',
      'SELECT distinct_id FROM person_distinct_ids WHERE project_id = $1 AND person_uuid = $2::uuid', [input.projectId, input.personId]);
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.distinct_id);
    if (input.distinctId !== undefined && !ids.includes(input.distinctId)) return [];
    if (input.distinctId === undefined) distinctIds.push(...ids);
  }
  const cursorMs = input.cursor ? Date.parse(input.cursor.timestamp) : undefined;
  const beforeMs = Math.min(input.before?.getTime() ?? Infinity, cursorMs !== undefined ? cursorMs + 1 : Infinity);
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: input.projectId, params,
    from: input.after, to: Number.isFinite(beforeMs) ? new Date(beforeMs + 1000) : undefined,
    entities: [], properties: { type: 'AND', values: input.properties },
  });
  const where: string[] = [];
  if (input.event !== undefined) where.push(`event = ${params.add(input.event)}`);
  if (distinctIds.length > 0) where.push(`distinct_id IN (${distinctIds.map((id) => params.add(id)).join(', ')})`);
  if (input.after) where.push(`${eventTimeMs} > ${params.add(input.after.getTime())}`);
  if (input.before) where.push(`${eventTimeMs} < ${params.add(input.before.getTime())}`);
  if (input.cursor) {
    where.push(`(${eventTimeMs} < ${params.add(cursorMs!)} OR (${eventTimeMs} = ${params.add(cursorMs!)} AND toString(uuid) < ${params.add(input.cursor.uuid)}))`);
  }
  const page = await queryClickHouseEvents<{ event_uuid: string; time_ms: string }>(store, 'api.list_events_page', `
    SELECT toString(uuid) AS event_uuid, ${eventTimeMs} AS time_ms ${source.from}${where.map((condition) => `\n      AND ${condition}`).join('')}
    ORDER BY time_ms DESC, event_uuid DESC LIMIT 1 BY event_uuid LIMIT ${params.add(input.limit + 1)}`);
  if (page.length === 0) return [];
  const times = page.map((row) => Number(row.time_ms));
  const rows = await readStoredEvents(store, input.projectId, page.map((row) => row.event_uuid), new Date(Math.min(...times)), new Date(Math.max(...times)));
  const order = new Map(page.map((row, index) => [row.event_uuid, index]));
  return rows.sort((a, b) => order.get(a.uuid)! - order.get(b.uuid)!);
}

/** Whole events by uuid, between two times (inclusive, to the second), with their persons after merges; one row per uuid. */
async function readStoredEvents(store: ClickHouseStore, projectId: number, uuids: string[], from: Date, to: Date): Promise<EventRecord[]> {
  const params = new ClickHouseParams();
  const project = params.add(projectId);
  const rows = await store.primary.query<StoredEventRow>(`/* api.read_events */
    SELECT ${storedEventColumns(clickHousePersonId)}
    FROM ${clickHouseTable(store, 'events')} ANY LEFT JOIN ${clickHouseOverrides(store, project)} USING (project_id, person_id)
    WHERE project_id = ${project} AND timestamp >= ${params.add(from)} AND timestamp <= ${params.add(to)}
      AND toString(uuid) IN (${uuids.map((uuid) => clickHouseLiteral(uuid)).join(', ')})
    LIMIT 1 BY event_uuid`);
  return rows.map(eventRecordOf);
}

/** getEvent on ClickHouse: the uuid alone does not say the day, so every day of the project is looked in. */
export async function clickHouseGetEvent(store: ClickHouseStore, projectId: number, uuid: string): Promise<EventRecord | undefined> {
  const [row] = await readStoredEvents(store, projectId, [uuid], new Date(0), new Date(4_102_444_800_000));
  return row;
}

/** Every event of a person (sent under one of their distinct ids or written with one of their person uuids), oldest first. */
export async function clickHousePersonEvents(store: ClickHouseStore, projectId: number, distinctIds: string[], personUuids: string[]): Promise<EventRecord[]> {
  const params = new ClickHouseParams();
  const list = (values: string[]) => (values.length > 0 ? values.map((value) => params.add(value)).join(', ') : 'NULL');
  const rows = await store.primary.query<StoredEventRow>(`/* privacy.export_events */
    SELECT ${storedEventColumns('person_id')} FROM ${clickHouseTable(store, 'events')}
    WHERE project_id = ${params.add(projectId)} AND (distinct_id IN (${list(distinctIds)}) OR toString(person_id) IN (${list(personUuids)}))
    ORDER BY time_ms, event_uuid LIMIT 1 BY event_uuid`);
  return rows.map(eventRecordOf);
}

/** When the project's first event happened; null when it has none. */
export async function clickHouseFirstEventTime(store: ClickHouseStore, projectId: number): Promise<Date | null> {
  const [row] = await store.primary.query<{ events: string; first_ms: string }>(`/* events.first_event */
    SELECT count() AS events, min(${eventTimeMs}) AS first_ms FROM ${clickHouseTable(store, 'events')} WHERE project_id = ${clickHouseLiteral(projectId)}`);
  return row && Number(row.events) > 0 ? new Date(Number(row.first_ms)) : null;
}
