import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { databaseUrlFor } from '../../src/db/embedded-postgres.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { quoteIdentifier } from '../../src/db/quote-identifier.ts';

export interface TestDatabase { url: string; pool: Pool; drop(): Promise<void> }

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of its own, so no test sees another's rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `sounder_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = databaseUrlFor(inject('adminDatabaseUrl'), name);
  await migrate(url);
  const pool = createPool(url, 5, 'sounder-test');
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
  };
}
