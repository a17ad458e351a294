import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool } from '../../src/db/pool.ts';

export interface CeilingResult { rows: number; seconds: number; rowsPerSecond: number; bytesPerRow: number }

const table = 'bench_copy_ceiling';

/**
 * The fastest Postgres can take these rows: one COPY from a file into a fresh table with the
 * events table's columns and indexes. Sounder's end-to-end rate is reported against it.
 */
export async function measureCopyCeiling(pool: Pool, copyFile: string, rows: number): Promise<CeilingResult> {
  const client = await pool.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (LIKE events INCLUDING DEFAULTS INCLUDING INDEXES)`);
    const started = performance.now();
    await pipeline(createReadStream(copyFile, { highWaterMark: 1 << 20 }),
      client.query(copyFrom(`COPY ${table} (uuid, project_id, event, distinct_id, person_id, properties, elements_chain, timestamp) FROM STDIN`)));
    const seconds = (performance.now() - started) / 1000;
    const { rows: size } = await client.query<{ bytes: number }>(`SELECT pg_total_relation_size('${table}')::bigint AS bytes`);
    return { rows, seconds, rowsPerSecond: rows / seconds, bytesPerRow: size[0]!.bytes / rows };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    client.release();
  }
}
