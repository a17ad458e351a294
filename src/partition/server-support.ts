import { runQuery, type Queryable } from '../db/pool.ts';

// TID range scans (the copy's chunks) and the partition features used here need 14.
const minimumVersion = 140000;

export async function requirePartitioningSupport(db: Queryable): Promise<void> {
  const { rows } = await runQuery<{ version: number; text: string }>(db, 'partition.server_version',
    "SELECT current_setting('server_version_num')::int AS version, current_setting('server_version') AS text");
  if (rows[0]!.version < minimumVersion) {
    throw new Error(`sounder partition needs PostgreSQL 14 or newer; this server runs ${rows[0]!.text}`);
  }
}
