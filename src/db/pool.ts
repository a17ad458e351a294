import pg from 'pg';

// Bigints (counts, bigserial ids) come back as JS numbers: every one Sounder stores fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** One connection: what a multi-statement transaction or a session lock needs. */
export type Connection = pg.ClientBase;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient | pg.Client;

export function createPool(connectionString: string, max = 10, applicationName = 'sounder'): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // JIT compiles a plan's expressions when its cost estimate is high, which Sounder's insight
    // queries over millions of rows always are; compiling took 0.1 to 0.6 s of queries that run
    // in 0.3 to 2 s (sounder bench queries, 10M events), more than it ever saved. Retention and
    // lifecycle hash a row per active person (380k over 10M events): with the default 4 MB the
    // aggregate and the join to persons spill to disk and the planner shuns the parallel plan;
    // 64 MB held them in memory and took the two from 0.85 and 1.2 s to 0.66 and 0.9 s. It is
    // a ceiling per sort or hash, used only by the queries that need it. `options` in the
    // connection string, when given, takes precedence.
    options: '-c jit=off -c work_mem=64MB',
  });
  // An idle client's connection dropping (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Every statement carries a `/* tag *\/` prefix so pg_stat_statements and the server log
 * say which part of Sounder ran it.
 */
export async function runQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  tag: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<Row>> {
  return db.query<Row>(`/* ${tag} */ ${text}`, values);
}

/**
 * runQuery as a named prepared statement: each connection parses it once and PostgreSQL may
 * keep its plan, which matters on hot paths where planning costs more than running (/flags).
 * Only for statements whose text never changes; the tag is the statement's name.
 */
export async function runPrepared<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  tag: string,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<Row>> {
  return db.query<Row>({ name: tag, text: `/* ${tag} */ ${text}`, values });
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inConnectionTransaction(client, () => work(client));
  } finally {
    client.release();
  }
}

/** Runs `work` in a transaction on a connection the caller holds (and that is not in one already). */
export async function inConnectionTransaction<T>(db: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await work();
    await db.query('COMMIT');
    return result;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);

/** True when the error means "the database cannot be reached right now", so callers answer 503 and clients retry. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && unavailableCodes.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(error.message);
}
