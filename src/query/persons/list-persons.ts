import { runQuery, type Queryable } from '../../db/pool.ts';
import { SqlParams } from '../sql-params.ts';

export interface PersonRecord {
  id: string;
  uuid: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  is_identified: boolean;
  created_at: string;
}

const columns = `p.uuid::text AS id, p.uuid::text AS uuid,
  ARRAY(SELECT distinct_id FROM person_distinct_ids d WHERE d.project_id = p.project_id AND d.person_uuid = p.uuid ORDER BY distinct_id) AS distinct_ids,
  p.properties, p.is_identified, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`;

export interface ListPersonsInput {
  projectId: number;
  /** Matches a distinct id exactly, or the email property as a substring. */
  search?: string;
  distinctId?: string;
  cursor?: { created_at: string; uuid: string };
  limit: number;
}

/** Newest persons first, keyset-paginated on (created_at, uuid); one row past `limit` signals a next page. */
export async function listPersons(db: Queryable, input: ListPersonsInput): Promise<PersonRecord[]> {
  const params = new SqlParams();
  const where = [`p.project_id = ${params.add(input.projectId)}`];
  if (input.distinctId !== undefined) {
    where.push(`p.uuid IN (SELECT person_uuid FROM person_distinct_ids WHERE project_id = p.project_id AND distinct_id = ${params.add(input.distinctId)})`);
  }
  if (input.search) {
    const exact = params.add(input.search);
    const like = params.add(`%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(p.uuid IN (SELECT person_uuid FROM person_distinct_ids WHERE project_id = p.project_id AND distinct_id = ${exact})
      OR p.properties ->> 'email' ILIKE ${like} OR p.properties ->> 'name' ILIKE ${like})`);
  }
  if (input.cursor) {
    where.push(`(p.created_at, p.uuid) < (${params.add(input.cursor.created_at)}::timestamptz, ${params.add(input.cursor.uuid)}::uuid)`);
  }
  const { rows } = await runQuery<PersonRecord>(db, 'api.list_persons',
    `SELECT ${columns} FROM persons p WHERE ${where.join(' AND ')}
     ORDER BY p.created_at DESC, p.uuid DESC LIMIT ${params.add(input.limit + 1)}`, params.values);
  return rows;
}

/** A person by uuid; a uuid that was merged away resolves to the person it became. */
export async function getPerson(db: Queryable, projectId: number, uuid: string): Promise<PersonRecord | undefined> {
  const { rows } = await runQuery<PersonRecord>(db, 'api.get_person',
    `SELECT ${columns} FROM persons p
     WHERE p.project_id = $1 AND p.uuid = coalesce(
       (SELECT override_person_uuid FROM person_overrides WHERE project_id = $1 AND old_person_uuid = $2::uuid), $2::uuid)`,
    [projectId, uuid]);
  return rows[0];
}

/** The persons with these uuids in one project (the people behind an insight's data point), oldest first, one page. */
export async function getPersonsByIds(db: Queryable, projectId: number, uuids: string[], limit: number, offset: number): Promise<PersonRecord[]> {
  const { rows } = await runQuery<PersonRecord>(db, 'api.persons_by_ids',
    `SELECT ${columns} FROM persons p WHERE p.project_id = $1 AND p.uuid = ANY($2::uuid[])
     ORDER BY p.created_at, p.uuid LIMIT $3 OFFSET $4`, [projectId, uuids, limit, offset]);
  return rows;
}
