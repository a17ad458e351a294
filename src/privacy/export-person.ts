import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { clickHousePersonEvents } from '../query/clickhouse/clickhouse-list-events.ts';
import { runQuery, type Queryable } from '../db/pool.ts';
import { findPersonIdentity } from './person-identity.ts';

export interface PersonExport {
  person: { uuid: string; distinct_ids: string[]; properties: Record<string, unknown>; is_identified: boolean; created_at: string };
  events: { uuid: string; event: string; distinct_id: string; timestamp: string; properties: Record<string, unknown>; elements_chain: string }[];
  exported_at: string;
}

/** Everything Sounder holds about one person, as one JSON document (a subject access request). */
export async function exportPerson(db: Queryable, projectId: number, by: { uuid?: string; distinctId?: string }, clickhouse?: ClickHouseStore): Promise<PersonExport | undefined> {
  const identity = await findPersonIdentity(db, projectId, by);
  if (!identity) return undefined;
  const { rows: [person] } = await runQuery<{ properties: Record<string, unknown>; is_identified: boolean; created_at: string }>(db, 'privacy.export_person',
    `SELECT properties, is_identified, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
     FROM persons WHERE project_id = $1 AND uuid = $2::uuid`, [projectId, identity.uuid]);
  const events = clickhouse
    ? (await clickHousePersonEvents(clickhouse, projectId, identity.distinctIds, identity.uuids))
      .map(({ uuid, event, distinct_id, timestamp, properties, elements_chain }) => ({ uuid, event, distinct_id, timestamp, properties, elements_chain }))
    : await postgresPersonEvents(db, projectId, identity);
  return {
    person: { uuid: identity.uuid, distinct_ids: identity.distinctIds, properties: person!.properties, is_identified: person!.is_identified, created_at: person!.created_at },
    events,
    exported_at: new Date().toISOString(),
  };
}

async function postgresPersonEvents(db: Queryable, projectId: number, identity: { distinctIds: string[]; uuids: string[] }): Promise<PersonExport['events']> {
  const { rows: events } = await runQuery<PersonExport['events'][number]>(db, 'privacy.export_events',
    `SELECT uuid::text, event, distinct_id, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS timestamp, properties, elements_chain
     FROM events WHERE project_id = $1 AND (distinct_id = ANY($2::text[]) OR person_id = ANY($3::uuid[]))
     ORDER BY timestamp, uuid`, [projectId, identity.distinctIds, identity.uuids]);
  return events;
}
