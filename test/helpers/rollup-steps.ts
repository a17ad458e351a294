import { expect } from 'vitest';
import { runQuery } from '../../src/db/pool.ts';
import { convertEvents } from '../../src/partition/convert-events.ts';
import { deleteProjectEventsBefore, dropEventsBefore } from '../../src/partition/drop-events-before.ts';
import { weeklyLayout } from '../../src/partition/event-layout.ts';
import { sendCapture } from './capture-client.ts';
import type { FixtureEvent } from './insight-fixture.ts';
import type { TestServer } from './test-server.ts';

/**
 * Events on the edges a quarter-hour rollup must get right: local midnights of +05:30 and
 * +05:45, New York's DST change (2026-03-08), bucket edges at :00 and :14:59.999.
 */
export const rollupEdges: FixtureEvent[] = [
  { event: '$pageview', distinct_id: 'asha', timestamp: '2026-03-05T18:29:59.999Z' },
  { event: '$pageview', distinct_id: 'asha', timestamp: '2026-03-05T18:30:00.000Z' },
  { event: '$pageview', distinct_id: 'asha', timestamp: '2026-03-05T18:14:59.999Z' },
  { event: '$pageview', distinct_id: 'bina', timestamp: '2026-03-05T18:15:00.000Z' },
  { event: '$pageview', distinct_id: 'bina', timestamp: '2026-03-08T06:59:59.000Z' },
  { event: '$pageview', distinct_id: 'bina', timestamp: '2026-03-08T07:00:00.000Z' },
  { event: 'purchase', distinct_id: 'bina', timestamp: '2026-03-09T03:59:00.000Z' },
  { event: 'purchase', distinct_id: 'bina', timestamp: '2026-03-09T04:00:00.000Z' },
];

/** A client's retry of the project's first 50 stored events: the worker must drop them all. */
export async function replayStoredEvents(server: TestServer): Promise<void> {
  const { rows: stored } = await runQuery<{ uuid: string; event: string; distinct_id: string; timestamp: Date }>(server.db.pool, 'test.stored',
    'SELECT uuid::text, event, distinct_id, timestamp FROM events WHERE project_id = $1 ORDER BY timestamp LIMIT 50', [server.project.id]);
  const replay = stored.map((row) => ({ uuid: row.uuid, event: row.event, distinct_id: row.distinct_id, timestamp: row.timestamp.toISOString() }));
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch: replay })).status).toBe(200);
  await server.drained();
}

/**
 * Retention both ways, with `check` after each: the project's events before `projectCutoff`
 * deleted row by row, then, once the table is partitioned by week, every project's events before
 * `cutoff` (the week of 2026-03-02 dropped whole, rows after it deleted up to the cutoff).
 */
export async function retireOldEvents(server: TestServer, cutoffs: { projectCutoff: Date; cutoff: Date }, check: () => Promise<void>): Promise<void> {
  const client = await server.db.pool.connect();
  try {
    expect(await deleteProjectEventsBefore(client, server.project.id, cutoffs.projectCutoff)).toBeGreaterThan(0);
    await check();
    await convertEvents(server.db.url, { target: weeklyLayout(['$pageview']), now: new Date('2026-03-20T00:00:00Z') });
    const dropped = await dropEventsBefore(client, cutoffs.cutoff);
    expect(dropped.droppedTables.length).toBeGreaterThan(0);
    expect(dropped.deletedRows).toBeGreaterThan(0);
    await check();
  } finally {
    client.release();
  }
}
