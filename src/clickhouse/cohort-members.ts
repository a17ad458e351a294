import { clickHouseLiteral } from './clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from './clickhouse-store.ts';

// A row every generation has, so an empty cohort's newest generation still exists; no person has this id.
const noPerson = '00000000-0000-0000-0000-000000000000';
const insertChunk = 20_000;

/**
 * Writes a cohort's members as a new generation on every node, then has older generations
 * deleted in the background. Queries read the newest generation (see cohortMembers), so they
 * see the old set or the new one, never a mix.
 */
export async function copyCohortToClickHouse(store: ClickHouseStore, projectId: number, cohortId: number, generation: string, personIds: string[]): Promise<void> {
  const rows = [noPerson, ...personIds].map((person) => ({ project_id: projectId, cohort_id: cohortId, person_id: person, generation }));
  const table = clickHouseTable(store, 'cohort_people');
  await Promise.all(store.nodes.map(async (node) => {
    for (let start = 0; start < rows.length; start += insertChunk) await node.insert(table, rows.slice(start, start + insertChunk));
    await node.command(`ALTER TABLE ${table} DELETE WHERE project_id = ${clickHouseLiteral(projectId)} AND cohort_id = ${clickHouseLiteral(cohortId)}
      AND generation < ${clickHouseLiteral(Number(generation))}`);
  }));
}

/** The persons of a project's cohort, as a subquery each node answers from its own copy. */
export function cohortMembers(store: ClickHouseStore, projectId: string, cohortId: string): string {
  const table = clickHouseTable(store, 'cohort_people');
  const cohort = `project_id = ${projectId} AND cohort_id = ${cohortId}`;
  return `(SELECT person_id FROM ${table} WHERE ${cohort} AND generation = (SELECT max(generation) FROM ${table} WHERE ${cohort}))`;
}
