import { inTransaction, runQuery, type Pool, type Queryable } from '../db/pool.ts';
import { softDelete } from './soft-delete.ts';

export interface CohortRecord {
  id: number; name: string; description: string; is_static: boolean; filters: unknown;
  count: number | null; last_calculation: string | null; errors_calculating: string | null; is_calculating: boolean; created_at: string;
}

const columns = `id, name, description, is_static, filters, person_count AS count, last_calculated_at AS last_calculation,
  last_error AS errors_calculating, last_calculated_at IS NULL AS is_calculating, created_at`;

export async function listCohorts(db: Queryable, projectId: number): Promise<CohortRecord[]> {
  const { rows } = await runQuery<CohortRecord>(db, 'cohorts.list', `SELECT ${columns} FROM cohorts WHERE project_id = $1 AND NOT deleted ORDER BY id`, [projectId]);
  return rows;
}

export async function getCohort(db: Queryable, projectId: number, id: number): Promise<CohortRecord | undefined> {
  const { rows } = await runQuery<CohortRecord>(db, 'cohorts.get', `SELECT ${columns} FROM cohorts WHERE project_id = $1 AND id = $2 AND NOT deleted`, [projectId, id]);
  return rows[0];
}

export interface CohortInput { name?: string; description?: string; filters?: unknown; distinctIds?: string[] }

async function replaceStaticIds(db: Queryable, cohortId: number, distinctIds: string[]): Promise<void> {
  await runQuery(db, 'cohorts.static_clear', 'DELETE FROM cohort_static_distinct_ids WHERE cohort_id = $1', [cohortId]);
  await runQuery(db, 'cohorts.static_ids',
    'INSERT INTO cohort_static_distinct_ids (cohort_id, distinct_id) SELECT $1, id FROM unnest($2::text[]) AS id ON CONFLICT DO NOTHING', [cohortId, distinctIds]);
}

/** A dynamic cohort (`filters`) or a static one (`distinctIds`); its persons are computed by the caller or the background refresh. */
export async function createCohort(pool: Pool, projectId: number, input: CohortInput & { name: string }): Promise<number> {
  return inTransaction(pool, async (client) => {
    const { rows } = await runQuery<{ id: number }>(client, 'cohorts.create',
      'INSERT INTO cohorts (project_id, name, description, is_static, filters) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id',
      [projectId, input.name, input.description ?? '', input.distinctIds !== undefined, JSON.stringify(input.filters ?? {})]);
    if (input.distinctIds) await replaceStaticIds(client, rows[0]!.id, input.distinctIds);
    return rows[0]!.id;
  });
}

export async function updateCohort(pool: Pool, projectId: number, id: number, input: CohortInput): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const { rows } = await runQuery<{ is_static: boolean }>(client, 'cohorts.update',
      `UPDATE cohorts SET name = coalesce($3, name), description = coalesce($4, description), filters = coalesce($5::jsonb, filters), updated_at = now()
       WHERE project_id = $1 AND id = $2 AND NOT deleted RETURNING is_static`,
      [projectId, id, input.name ?? null, input.description ?? null, input.filters === undefined ? null : JSON.stringify(input.filters)]);
    if (!rows[0]) return false;
    if (input.distinctIds && rows[0].is_static) await replaceStaticIds(client, id, input.distinctIds);
    return true;
  });
}

export async function deleteCohort(db: Queryable, projectId: number, id: number): Promise<boolean> {
  if (!await softDelete(db, 'cohorts', projectId, id)) return false;
  await runQuery(db, 'cohorts.delete_people', 'DELETE FROM cohort_people WHERE cohort_id = $1', [id]);
  return true;
}

export async function cohortPersonIds(db: Queryable, projectId: number, id: number): Promise<string[]> {
  const { rows } = await runQuery<{ person_uuid: string }>(db, 'cohorts.people',
    'SELECT cp.person_uuid::text AS person_uuid FROM cohort_people cp JOIN cohorts c ON c.id = cp.cohort_id WHERE c.project_id = $1 AND c.id = $2', [projectId, id]);
  return rows.map((row) => row.person_uuid);
}
