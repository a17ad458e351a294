import { clickHouseTable, type ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { propertyFromArrays } from '../../clickhouse/hot-properties.ts';
import { runQuery, type Queryable } from '../../db/pool.ts';
import { ClickHouseParams } from '../clickhouse/clickhouse-params.ts';

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

/**
 * The newest events on ClickHouse, from the week before the project's last event only: a sort
 * over every row's arrays would read the whole project.
 */
function clickHouseSample(store: ClickHouseStore, params: ClickHouseParams, projectId: number, columns: string, limit: number): string {
  const events = clickHouseTable(store, 'events');
  const project = params.add(projectId);
  return `SELECT ${columns} FROM ${events}
    WHERE project_id = ${project} AND timestamp >= (SELECT max(timestamp) FROM ${events} WHERE project_id = ${project}) - 604800
    ORDER BY timestamp DESC LIMIT ${params.add(limit)}`;
}

export async function listPropertyKeys(db: Queryable, projectId: number, type: 'event' | 'person', clickhouse?: ClickHouseStore): Promise<string[]> {
  if (clickhouse && type === 'event') {
    const params = new ClickHouseParams();
    const rows = await clickhouse.primary.query<{ key: string }>(`/* definitions.event_keys */
      SELECT key FROM (${clickHouseSample(clickhouse, params, projectId, 'prop_keys', keySample)}) ARRAY JOIN prop_keys AS key
      GROUP BY key ORDER BY count() DESC, key LIMIT 300`);
    return rows.map((row) => row.key);
  }
  const source = sample(type, '$2');
  const { rows } = await runQuery<{ key: string }>(db, `definitions.${type}_keys`,
    `SELECT key FROM (${source}) sample, jsonb_object_keys(sample.properties) AS key
     GROUP BY key ORDER BY count(*) DESC, key LIMIT 300`, [projectId, keySample]);
  return rows.map((row) => row.key);
}

export async function listPropertyValues(db: Queryable, projectId: number, type: 'event' | 'person', key: string, clickhouse?: ClickHouseStore): Promise<string[]> {
  if (clickhouse && type === 'event') {
    const params = new ClickHouseParams();
    const rows = await clickhouse.primary.query<{ value: string }>(`/* definitions.event_values */
      SELECT value FROM (${clickHouseSample(clickhouse, params, projectId, `${propertyFromArrays('prop_keys', 'prop_values', key)} AS value`, valueSample)})
      WHERE isNotNull(value) GROUP BY value ORDER BY count() DESC, value LIMIT 50`);
    return rows.map((row) => row.value);
  }
  const source = sample(type, '$3');
  const { rows } = await runQuery<{ value: string }>(db, `definitions.${type}_values`,
    `SELECT sample.properties ->> $2 AS value FROM (${source}) sample
     WHERE sample.properties ->> $2 IS NOT NULL
     GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 50`, [projectId, key, valueSample]);
  return rows.map((row) => row.value);
}
