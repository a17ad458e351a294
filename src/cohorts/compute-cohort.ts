import type pg from 'pg';
import { copyCohortToClickHouse } from '../clickhouse/cohort-members.ts';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { runQuery, type Connection } from '../db/pool.ts';
import { SqlParams } from '../query/sql-params.ts';
import { clickHouseBehaviour } from './clickhouse-behaviour.ts';
import { cohortCondition, postgresBehaviour } from './cohort-condition.ts';
import { cohortFiltersSchema } from './cohort-definition.ts';

interface CohortRow { id: number; project_id: number; is_static: boolean; filters: unknown }

/**
 * Recomputes one cohort's persons in one transaction, so queries see the old set or the new
 * one, never a half-built one. Static cohorts are the persons their distinct ids belong to now
 * (after merges). Returns the person count, or throws with the reason the definition fails.
 */
export async function computeCohort(db: Connection, cohortId: number, now = new Date(), clickhouse?: ClickHouseStore): Promise<number> {
  const { rows } = await runQuery<CohortRow>(db, 'cohorts.load', 'SELECT id, project_id, is_static, filters FROM cohorts WHERE id = $1 AND NOT deleted', [cohortId]);
  const cohort = rows[0];
  if (!cohort) return 0;
  const params = new SqlParams();
  const projectId = params.add(cohort.project_id);
  const cohortParam = params.add(cohort.id);
  let select: string;
  if (cohort.is_static) {
    select = `SELECT DISTINCT pdi.person_uuid FROM cohort_static_distinct_ids s
      JOIN person_distinct_ids pdi ON pdi.project_id = ${projectId} AND pdi.distinct_id = s.distinct_id WHERE s.cohort_id = ${cohortParam}`;
  } else {
    const filters = cohortFiltersSchema.parse(cohort.filters);
    let nowParam: string | undefined;
    const behaviour = clickhouse ? await clickHouseBehaviour(clickhouse, cohort.project_id, filters.properties, now) : postgresBehaviour(projectId);
    const condition = cohortCondition(filters.properties, { projectId, behaviour }, params, () => (nowParam ??= `${params.add(now)}::timestamptz`));
    select = `SELECT p.uuid FROM persons p WHERE p.project_id = ${projectId} AND ${condition}`;
  }
  await runQuery(db, 'cohorts.compute', 'BEGIN');
  try {
    await runQuery(db, 'cohorts.compute', 'DELETE FROM cohort_people WHERE cohort_id = $1', [cohort.id]);
    const inserted = await runQuery(db, 'cohorts.compute', `INSERT INTO cohort_people (cohort_id, person_uuid) SELECT ${cohortParam}::int, people.uuid FROM (${select}) AS people (uuid)`, params.values);
    const count = inserted.rowCount ?? 0;
    if (clickhouse) {
      // Before the commit, with this transaction's id as the generation: a later computation has a larger one.
      const { rows: members } = await runQuery<{ person_uuid: string }>(db, 'cohorts.members', 'SELECT person_uuid::text FROM cohort_people WHERE cohort_id = $1', [cohort.id]);
      const { rows: [transaction] } = await runQuery<{ generation: string }>(db, 'cohorts.generation', 'SELECT pg_current_xact_id()::text AS generation');
      await copyCohortToClickHouse(clickhouse, cohort.project_id, cohort.id, transaction!.generation, members.map((member) => member.person_uuid));
    }
    await runQuery(db, 'cohorts.compute', 'UPDATE cohorts SET person_count = $2, last_calculated_at = now(), last_error = NULL WHERE id = $1', [cohort.id, count]);
    await runQuery(db, 'cohorts.compute', 'COMMIT');
    return count;
  } catch (error) {
    await runQuery(db, 'cohorts.compute', 'ROLLBACK').catch(() => undefined);
    await runQuery(db, 'cohorts.compute_failed', 'UPDATE cohorts SET last_error = $2, last_calculated_at = now() WHERE id = $1', [cohort.id, (error as Error).message]).catch(() => undefined);
    throw error;
  }
}

// One refresher at a time across all workers; any fixed number works if every process uses it.
const refreshLockKey = 7_262_019_004;

/**
 * Recomputes every cohort last computed more than `staleAfterSeconds` ago (oldest first), if no
 * other process is doing it. Returns the ids refreshed. A failing cohort keeps its last set and
 * its error, and does not stop the others.
 */
export async function refreshStaleCohorts(db: pg.ClientBase, staleAfterSeconds: number, clickhouse?: ClickHouseStore): Promise<number[]> {
  const { rows: [lock] } = await runQuery<{ ok: boolean }>(db, 'cohorts.refresh_lock', 'SELECT pg_try_advisory_lock($1) AS ok', [refreshLockKey]);
  if (!lock?.ok) return [];
  try {
    const { rows } = await runQuery<{ id: number }>(db, 'cohorts.stale',
      `SELECT id FROM cohorts WHERE NOT deleted AND (last_calculated_at IS NULL OR last_calculated_at < now() - make_interval(secs => $1))
       ORDER BY last_calculated_at NULLS FIRST LIMIT 100`, [staleAfterSeconds]);
    const refreshed: number[] = [];
    for (const { id } of rows) {
      try {
        await computeCohort(db, id, new Date(), clickhouse);
        refreshed.push(id);
      } catch {
        // Kept in last_error for the API to show.
      }
    }
    return refreshed;
  } finally {
    await runQuery(db, 'cohorts.refresh_unlock', 'SELECT pg_advisory_unlock($1)', [refreshLockKey]);
  }
}
