import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'chdb';
import type { ClickHouseConnection } from '../../src/clickhouse/clickhouse-connection.ts';

let shared: ClickHouseConnection | undefined;

/**
 * Current ClickHouse (chDB, in this process) behind Sounder's connection interface, so the
 * same SQL the 18.16 cluster runs is also run on ClickHouse 26.x. chDB allows one data folder
 * per process, so every test of a file shares this one and keeps to a database of its own.
 */
export function sharedChdbConnection(): ClickHouseConnection {
  if (shared) return shared;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sounder-chdb-'));
  process.once('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  shared = chdbConnection(new Session(dataDir));
  return shared;
}

function chdbConnection(session: Session): ClickHouseConnection {
  const run = async (sql: string) => (await session.queryAsync(sql, { format: 'JSONEachRow' })).text();
  return {
    async query<Row>(sql: string) {
      const text = await run(sql);
      return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Row);
    },
    async command(sql: string) {
      await run(sql);
    },
    async insert(table: string, rows: object[]) {
      if (rows.length === 0) return;
      await run(`INSERT INTO ${table} (${Object.keys(rows[0]!).join(', ')}) FORMAT JSONEachRow\n${rows.map((row) => JSON.stringify(row)).join('\n')}`);
    },
    // The session outlives any one store; it ends with the process.
    async close() {},
  };
}
