import { runQuery, type Queryable } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';

/** The definition tables whose rows are marked deleted rather than removed (saved links to them keep working as "not found"). */
export type DefinitionTable = 'actions' | 'cohorts' | 'insights' | 'dashboards' | 'feature_flags';

export async function softDelete(db: Queryable, table: DefinitionTable, projectId: number, id: number): Promise<boolean> {
  const result = await runQuery(db, `${table}.delete`,
    `UPDATE ${quoteIdentifier(table)} SET deleted = true, updated_at = now() WHERE project_id = $1 AND id = $2 AND NOT deleted`, [projectId, id]);
  return (result.rowCount ?? 0) > 0;
}
