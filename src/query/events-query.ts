import { runQuery } from '../db/pool.ts';
import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { InsightContext } from './insight-context.ts';
import { NotOnClickHouseError } from './clickhouse/not-on-clickhouse.ts';

export interface PrintedQuery { text: string; values: unknown[] }

/**
 * Runs a query over the events on the context's events store: ClickHouse when the context has
 * one and its printer covers the query, else Postgres. The two printers build the same rows.
 */
export async function runEventsQuery<Row>(context: InsightContext, name: string, postgres: () => PrintedQuery,
  clickhouse: (store: ClickHouseStore) => Promise<PrintedQuery>): Promise<Row[]> {
  if (context.clickhouse) {
    const query = await clickhouse(context.clickhouse).catch((error: unknown) => {
      if (error instanceof NotOnClickHouseError) return undefined;
      throw error;
    });
    if (query) return context.clickhouse.primary.query<Row>(`/* ${name} */ ${query.text}`);
  }
  const query = postgres();
  return (await runQuery<Row & Record<string, unknown>>(context.db, name, query.text, query.values)).rows;
}
