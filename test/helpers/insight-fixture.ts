import { expect } from 'vitest';
import { runQuery } from '../../src/db/pool.ts';
import { createInsightContext, type InsightContext } from '../../src/query/insight-context.ts';
import { sendCapture } from './capture-client.ts';
import { startTestServer, type TestServer } from './test-server.ts';

export interface FixtureEvent { event: string; distinct_id: string; timestamp: string; properties?: Record<string, unknown> }

export interface InsightFixture {
  server: TestServer;
  context(now?: string): Promise<InsightContext>;
  stop(): Promise<void>;
}

/**
 * A running Sounder with `events` captured through /batch (timestamps kept exactly: no
 * sent_at) and processed by the real worker, in a project with the given time zone. With
 * TEST_EVENTS_STORE set (and not `postgresOnly`), the worker writes to a ClickHouse store and insights read it.
 */
export async function startInsightFixture(events: FixtureEvent[], options: { timezone?: string; weekStartDay?: 0 | 1; postgresOnly?: boolean } = {}): Promise<InsightFixture> {
  const server = await startTestServer(options.postgresOnly ? { clickhouse: null } : {});
  await runQuery(server.db.pool, 'test.project_settings', 'UPDATE projects SET timezone = $2, week_start_day = $3 WHERE id = $1',
    [server.project.id, options.timezone ?? 'UTC', options.weekStartDay ?? 0]);
  // One request per distinct id keeps each person's events in order through the worker.
  for (let start = 0; start < events.length; start += 500) {
    const response = await sendCapture(server.url, { api_key: server.project.api_token, batch: events.slice(start, start + 500) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }
  await server.drained();
  return {
    server,
    context: (now = '2026-03-20T12:00:00Z') => createInsightContext(server.db.pool, server.project.id, new Date(now), server.clickhouse),
    stop: () => server.stop(),
  };
}
