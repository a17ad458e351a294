import { runQuery, type Queryable } from '../../db/pool.ts';

// Suggestions come from the newest events: recent data is what people filter on, and reading a
// bounded sample keeps the answer fast however large the table is.
const keySample = 2000;
const valueSample = 10_000;

/** The newest rows' properties; `limit` names the parameter that bounds the sample. */
function sample(type: 'event' | 'person', limit: string): string {
  return type === 'person'
    ? `SELECT properties FROM persons WHERE project_id = $1 ORDER BY created_at DESC LIMIT ${limit}`
    : `SELECT properties FROM events WHERE project_id = $1 ORDER BY timestamp DESC LIMIT ${limit}`;
}

export async function listPropertyKeys(db: Queryable, projectId: number, type: 'event' | 'person'): Promise<string[]> {
  const source = sample(type, '$2');
  const { rows } = await runQuery<{ key: string }>(db, `definitions.${type}_keys`,
    `SELECT key FROM (${source}) sample, jsonb_object_keys(sample.properties) AS key
     GROUP BY key ORDER BY count(*) DESC, key LIMIT 300`, [projectId, keySample]);
  return rows.map((row) => row.key);
}

export async function listPropertyValues(db: Queryable, projectId: number, type: 'event' | 'person', key: string): Promise<string[]> {
  const source = sample(type, '$3');
  const { rows } = await runQuery<{ value: string }>(db, `definitions.${type}_values`,
    `SELECT sample.properties ->> $2 AS value FROM (${source}) sample
     WHERE sample.properties ->> $2 IS NOT NULL
     GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 50`, [projectId, key, valueSample]);
  return rows.map((row) => row.value);
}
