import type { DuckDBConnection } from '@duckdb/node-api';
import { runQuery, type PoolClient } from '../db/pool.ts';
import { addWeeks } from '../partition/weeks.ts';
import { duckdbLiteral } from './duckdb-literal.ts';
import { hotProperties, lakeSelectColumns, lakeTableDdl } from './lake-schema.ts';

const fetchRows = 20_000;

/** One exported event: lakeTableDdl's columns, in its order. */
export type LakeRow = Array<string | number | null>;

/**
 * Writes one project's week of events as Parquet under `dir`, Hive style:
 * `project_id=P/event=E/week=YYYY-MM-DD/part-N.parquet` (values percent-encoded, as DuckDB,
 * Spark and pyarrow read them). Rows come in batches from the events store, so memory stays
 * flat whatever the week holds; DuckDB spills to its temp directory past its limit.
 */
export async function writeWeekParquet(batches: AsyncIterable<LakeRow[]>, duck: DuckDBConnection, dir: string): Promise<number> {
  await duck.run('DROP TABLE IF EXISTS lake_events');
  await duck.run(lakeTableDdl);
  const appender = await duck.createAppender('lake_events');
  let rows = 0;
  try {
    for await (const batch of batches) {
      for (const row of batch) {
        for (const [index, value] of row.entries()) {
          if (value === null) appender.appendNull();
          else if (index === 1) appender.appendInteger(value as number);
          else appender.appendVarchar(value as string);
        }
        appender.endRow();
      }
      rows += batch.length;
    }
  } finally {
    appender.closeSync();
  }
  if (rows === 0) return 0;
  await duck.run(`COPY (SELECT * FROM lake_events ORDER BY event, timestamp) TO ${duckdbLiteral(dir)}
    (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (project_id, event, week), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE true)`);
  return rows;
}

/** A project's week from Postgres' events, from one snapshot through a cursor. */
export async function* postgresWeekRows(pg: PoolClient, projectId: number, week: Date): AsyncGenerator<LakeRow[]> {
  await pg.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await runQuery(pg, 'lake.declare_cursor',
      `DECLARE lake_week NO SCROLL CURSOR FOR
       SELECT ${lakeSelectColumns}
       FROM events e LEFT JOIN person_overrides o ON o.project_id = e.project_id AND o.old_person_uuid = e.person_id
       WHERE e.project_id = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < $3::timestamptz`,
      [projectId, week, addWeeks(week, 1), ...hotProperties]);
    for (;;) {
      const batch = await pg.query<LakeRow>({ text: `FETCH ${fetchRows} FROM lake_week`, rowMode: 'array' });
      yield batch.rows;
      if (batch.rows.length < fetchRows) break;
    }
    await pg.query('COMMIT');
  } catch (error) {
    await pg.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
