import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../src/db/pool.ts';
import { runQuery } from '../../src/db/pool.ts';

export interface SeedEvent { projectId: number; event: string; distinctId: string; timestamp: Date }

/** Inserts events straight into `events` (whatever its layout), as a worker would store them. */
export async function insertEvents(db: Queryable, events: SeedEvent[]): Promise<void> {
  await runQuery(db, 'test.insert_events',
    `INSERT INTO events (uuid, project_id, event, distinct_id, properties, timestamp)
     SELECT uuid, project_id, event, distinct_id, jsonb_build_object('n', n), timestamp
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS r(uuid, project_id, event, distinct_id, timestamp, n)`,
    [events.map(() => randomUUID()), events.map((e) => e.projectId), events.map((e) => e.event), events.map((e) => e.distinctId), events.map((e) => e.timestamp)]);
}

/** Row count and a digest of every row's content: equal before and after means nothing lost, added or changed. */
export async function eventsFingerprint(db: Queryable): Promise<{ rows: number; digest: string }> {
  const { rows } = await runQuery<{ rows: number; digest: string }>(db, 'test.fingerprint',
    `SELECT count(*)::int AS rows, coalesce(md5(string_agg(uuid::text || project_id || event || distinct_id || properties::text || elements_chain || timestamp::text || created_at::text, '|' ORDER BY uuid)), '') AS digest
     FROM events`);
  return rows[0]!;
}

/** The leaf table each matching row is stored in. */
export async function tablesHolding(db: Queryable, where: string, values: unknown[]): Promise<string[]> {
  const { rows } = await runQuery<{ name: string }>(db, 'test.tables_holding',
    `SELECT DISTINCT c.relname AS name FROM events e JOIN pg_class c ON c.oid = e.tableoid WHERE ${where} ORDER BY 1`, values);
  return rows.map((row) => row.name);
}
