import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { runQuery, type Queryable } from '../../db/pool.ts';
import { propertyCondition, type PropertyFilter } from '../filters/property-filter.ts';
import { eventScope } from '../filters/event-source.ts';
import { filterCondition } from '../filters/filter-condition.ts';
import { SqlParams } from '../sql-params.ts';
import { clickHouseGetEvent, clickHouseListEvents } from '../clickhouse/clickhouse-list-events.ts';

export interface ListEventsInput {
  projectId: number;
  event?: string;
  distinctId?: string;
  personId?: string;
  properties: PropertyFilter[];
  after?: Date;
  before?: Date;
  /** Keyset position: events strictly older than this (timestamp, uuid). */
  cursor?: { timestamp: string; uuid: string };
  limit: number;
}

export interface EventRecord {
  id: string;
  uuid: string;
  event: string;
  distinct_id: string;
  person_id: string | null;
  properties: Record<string, unknown>;
  elements_chain: string;
  timestamp: string;
  created_at: string;
}

const columns = `e.uuid::text AS id, e.uuid::text AS uuid, e.event, e.distinct_id, coalesce(o.override_person_uuid, e.person_id)::text AS person_id,
  e.properties, e.elements_chain, to_char(e.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS timestamp,
  to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`;
const overrideJoin = 'LEFT JOIN person_overrides o ON o.project_id = e.project_id AND o.old_person_uuid = e.person_id';

function personCondition(filter: PropertyFilter, params: SqlParams): string {
  return `EXISTS (SELECT 1 FROM person_distinct_ids pdi JOIN persons p ON p.uuid = pdi.person_uuid
    WHERE pdi.project_id = e.project_id AND pdi.distinct_id = e.distinct_id AND ${propertyCondition('p.properties', filter, params)})`;
}

/**
 * The query behind `listEvents`. Event and time conditions are plain comparisons on the
 * partition keys, so a partitioned `events` is pruned to the partitions they allow.
 */
export function listEventsQuery(input: ListEventsInput): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const where = [`e.project_id = ${params.add(input.projectId)}`];
  if (input.event !== undefined) where.push(`e.event = ${params.add(input.event)}`);
  if (input.distinctId !== undefined) where.push(`e.distinct_id = ${params.add(input.distinctId)}`);
  if (input.personId !== undefined) {
    // All ids of the person (merged ones included) — events keep the id they were sent with.
    where.push(`e.distinct_id IN (SELECT distinct_id FROM person_distinct_ids WHERE project_id = e.project_id AND person_uuid = ${params.add(input.personId)}::uuid)`);
  }
  if (input.after) where.push(`e.timestamp > ${params.add(input.after)}`);
  if (input.before) where.push(`e.timestamp < ${params.add(input.before)}`);
  if (input.cursor) {
    where.push(`(e.timestamp, e.uuid) < (${params.add(input.cursor.timestamp)}::timestamptz, ${params.add(input.cursor.uuid)}::uuid)`);
  }
  for (const filter of input.properties) {
    // Person properties through the id mapping (this query joins no persons); event, element
    // and cohort filters as every insight reads them.
    where.push(filter.type === 'person' ? personCondition(filter, params) : filterCondition(filter, eventScope, params));
  }
  const text = `SELECT ${columns} FROM events e ${overrideJoin}
     WHERE ${where.join(' AND ')}
     ORDER BY e.timestamp DESC, e.uuid DESC
     LIMIT ${params.add(input.limit + 1)}`;
  return { text, values: params.values };
}

/**
 * Newest first, keyset-paginated on (timestamp, uuid), from the events store (ClickHouse when
 * given). Returns one row more than `limit` when there is a next page.
 */
export async function listEvents(db: Queryable, input: ListEventsInput, clickhouse?: ClickHouseStore): Promise<EventRecord[]> {
  if (clickhouse) return clickHouseListEvents(db, clickhouse, input);
  const query = listEventsQuery(input);
  const { rows } = await runQuery<EventRecord>(db, 'api.list_events', query.text, query.values);
  return rows;
}

export async function getEvent(db: Queryable, projectId: number, uuid: string, clickhouse?: ClickHouseStore): Promise<EventRecord | undefined> {
  if (clickhouse) return clickHouseGetEvent(clickhouse, projectId, uuid);
  const { rows } = await runQuery<EventRecord>(db, 'api.get_event',
    `SELECT ${columns} FROM events e ${overrideJoin} WHERE e.project_id = $1 AND e.uuid = $2::uuid LIMIT 1`, [projectId, uuid]);
  return rows[0];
}
