import pg from 'pg';
import type { Config } from '../config/config.ts';
import { databaseUrlFor, ensureEmbeddedPostgres } from './embedded-postgres.ts';
import { quoteIdentifier } from './quote-identifier.ts';

export interface DatabaseHandle {
  url: string;
  /** Stops the embedded server when this process started it; otherwise does nothing. */
  release(): Promise<void>;
  embedded: boolean;
}

const embeddedDatabaseName = 'sounder';

/**
 * The one rule every command follows to find the database: DATABASE_URL when set, else the
 * embedded PostgreSQL under the data directory (started for this command when not running).
 */
export async function openDatabase(config: Config, log: (line: string) => void = () => undefined): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, release: async () => undefined, embedded: false };
  }
  const server = await ensureEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  await createDatabaseIfMissing(server.adminUrl, embeddedDatabaseName);
  return { url: databaseUrlFor(server.adminUrl, embeddedDatabaseName), release: server.stop, embedded: true };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}
