import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillClickHouse, compareWeeks } from '../src/clickhouse/backfill-clickhouse.ts';
import { localEventsTableName } from '../src/clickhouse/clickhouse-store.ts';
import { deleteAndWait } from '../src/clickhouse/clickhouse-mutations.ts';
import { createInsightContext } from '../src/query/insight-context.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { runInsight } from '../src/query/run-insight.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { createTestClickHouse, testEventsStore, type TestClickHouse } from './helpers/test-clickhouse.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const kind = testEventsStore() ?? 'chdb';

// Events stored while Sounder ran on Postgres alone: two weeks, anonymous visitors who identify later.
const events = Array.from({ length: 120 }, (_, index) => {
  const visitor = index % 9;
  const day = 2 + (index % 12);
  return { event: index % 5 === 0 ? 'purchase' : '$pageview', distinct_id: `anon-${visitor}`, timestamp: `2026-03-${String(day).padStart(2, '0')}T1${index % 10}:00:00Z`, properties: { $browser: index % 2 ? 'Chrome' : 'Firefox' } };
});
const identifies = Array.from({ length: 4 }, (_, visitor) => ({
  event: '$identify', distinct_id: `user-${visitor}`, timestamp: '2026-03-02T08:00:00Z', properties: { $anon_distinct_id: `anon-${visitor}`, $set: { plan: visitor % 2 ? 'pro' : 'free' } },
}));

let server: TestServer;
let clickhouse: TestClickHouse;
let cohortId: number;
beforeAll(async () => {
  server = await startTestServer({ clickhouse: null });
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch: [...identifies, ...events] })).status).toBe(200);
  await server.drained();
  const cohort = await fetch(`${server.url}/api/projects/${server.project.id}/cohorts`, {
    method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Listed', csv: 'distinct_id\nuser-1\nanon-5\n' }),
  });
  expect(cohort.status).toBe(201);
  cohortId = ((await cohort.json()) as { id: number }).id;
  clickhouse = await createTestClickHouse(kind);
});
afterAll(async () => {
  await server.stop();
  await clickhouse.drop();
});

const filters = () => [
  { insight: 'TRENDS', events: [{ id: '$pageview' }], properties: [{ key: 'id', value: cohortId, type: 'cohort' }], date_from: '2026-03-01', date_to: '2026-03-15' },
  { insight: 'TRENDS', events: [{ id: '$pageview', math: 'dau' }], breakdown: 'plan', breakdown_type: 'person', date_from: '2026-03-01', date_to: '2026-03-15' },
  { insight: 'FUNNELS', events: [{ id: '$pageview', order: 0 }, { id: 'purchase', order: 1 }], date_from: '2026-03-01', date_to: '2026-03-15' },
];

describe('sounder clickhouse backfill', () => {
  it('copies what Postgres holds, persons included, so insights give the same answers on both stores; a second run copies nothing', async () => {
    const report = await backfillClickHouse(server.db.pool, server.db.url, clickhouse.store, { projectIds: [server.project.id] });
    expect(report.copied).toBe(events.length + identifies.length);
    expect(report.persons).toBe(9);
    expect(report.weeks.length).toBe(2);
    expect(report.cohorts).toBe(1);
    for (const week of report.weeks) expect(week.clickhouse).toBe(week.postgres);
    const onPostgres = await createInsightContext(server.db.pool, server.project.id, new Date('2026-03-20T00:00:00Z'));
    const onClickHouse = await createInsightContext(server.db.pool, server.project.id, new Date('2026-03-20T00:00:00Z'), clickhouse.store);
    for (const filter of filters()) {
      const parsed = insightFilterSchema.parse(filter);
      expect(await runInsight(onClickHouse, parsed)).toEqual(await runInsight(onPostgres, parsed));
    }
    const [inCohort] = await runInsight(onClickHouse, insightFilterSchema.parse(filters()[0])) as Array<{ count: number }>;
    expect(inCohort!.count).toBeGreaterThan(0);
    const again = await backfillClickHouse(server.db.pool, server.db.url, clickhouse.store, { projectIds: [server.project.id] });
    expect([again.copied, again.persons, again.overrides, again.cohorts]).toEqual([0, 0, 0, 0]);
  });

  it('resumes: a week that lost rows gets exactly those back', async () => {
    for (const node of clickhouse.store.nodes) await deleteAndWait(node, clickhouse.store, localEventsTableName(clickhouse.store), "toDate(timestamp) = '2026-03-10'");
    const short = (await compareWeeks(server.db.pool, clickhouse.store, [server.project.id])).filter((week) => week.clickhouse < week.postgres);
    expect(short.map((week) => week.week)).toEqual(['2026-03-09']);
    const lost = short[0]!.postgres - short[0]!.clickhouse;
    const report = await backfillClickHouse(server.db.pool, server.db.url, clickhouse.store, { projectIds: [server.project.id] });
    expect(report.copied).toBe(lost);
    for (const week of report.weeks) expect(week.clickhouse).toBe(week.postgres);
  });

  it.runIf(kind === 'cluster')('runs as a command with a progress report and verification', async () => {
    const env = { ...process.env, DATABASE_URL: server.db.url, CLICKHOUSE_URL: clickhouse.urls!.join(','), CLICKHOUSE_CLUSTER: clickhouse.store.cluster, CLICKHOUSE_DATABASE: clickhouse.store.database };
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/sounder.js', 'clickhouse', 'backfill', '--project', String(server.project.id), '--json'], { env });
    const report = JSON.parse(stdout);
    expect(report.copied).toBe(0);
    expect(report.weeks.every((week: { postgres: number; clickhouse: number }) => week.postgres === week.clickhouse)).toBe(true);
  });
});
