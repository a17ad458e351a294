import { runQuery } from '../db/pool.ts';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { InsightContext } from './insight-context.ts';
import { InvalidQueryError } from './query-error.ts';

// ClickHouse's CANNOT_COMPILE_REGEXP: a filter's regex that RE2 does not take (the HTTP client gives the code, chDB only the message).
const isRegexpError = (error: unknown) => (error as { code?: string }).code === '427' || /^(Query failed: )?Code: 427\b/.test((error as Error).message ?? '');

export interface PrintedQuery { text: string; values: unknown[] }

/** A query over ClickHouse's events; a filter's regex that RE2 refuses is the caller's error (400 naming `properties`), as on Postgres. */
export async function queryClickHouseEvents<Row>(store: ClickHouseStore, name: string, text: string): Promise<Row[]> {
  return store.primary.query<Row>(`/* ${name} */ ${text}`).catch((error: unknown) => {
    if (isRegexpError(error)) throw new InvalidQueryError('invalid regular expression in a property filter', 'properties');
    throw error;
  });
}

/**
 * Runs a query over the events on the context's events store: ClickHouse when the context has
 * one, else Postgres. The two printers build the same rows.
 */
export async function runEventsQuery<Row>(context: InsightContext, name: string, postgres: () => PrintedQuery,
  clickhouse: (store: ClickHouseStore) => Promise<PrintedQuery>): Promise<Row[]> {
  if (context.clickhouse) return queryClickHouseEvents<Row>(context.clickhouse, name, (await clickhouse(context.clickhouse)).text);
  const query = postgres();
  return (await runQuery<Row & Record<string, unknown>>(context.db, name, query.text, query.values)).rows;
}
