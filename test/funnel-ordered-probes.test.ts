import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { evaluateFunnel, type FunnelEvaluation } from '../src/query/funnels/get-funnel.ts';
import { insightFilterSchema } from '../src/query/insight-filter.ts';
import { startInsightFixture, type FixtureEvent, type InsightFixture } from './helpers/insight-fixture.ts';

// An ordered funnel that lists only the persons past its first step reads their later steps and,
// per second-step event, one probed first-step event (ordered-funnel-events.ts). Here it must
// agree with the funnel over each person's every event, on data built to trip the probe: merged
// persons whose first steps were written under the merged-away id, events sent without a person
// profile (with and without a person id written), first steps at the same instant as each other and as the second step, first steps the
// step's own filter rejects, and an event that is two steps at once.

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const start = Date.parse('2026-05-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function buildEvents(): FixtureEvent[] {
  const next = random(7);
  const events: FixtureEvent[] = [];
  const names = ['$pageview', '$pageview', '$pageview', 'signed up', 'purchase', 'read docs'];
  for (let person = 0; person < 60; person++) {
    const personless = person % 9 === 4;
    const merged = person % 5 === 1;
    const ids = merged ? [`anon-${person}`, `user-${person}`] : [`user-${person}`];
    let time = start + Math.floor(next() * 20) * 86_400_000;
    for (let index = 0; index < 4 + Math.floor(next() * 14); index++) {
      // Some events share an instant with the one before.
      if (next() > 0.2) time += Math.floor(next() * 3) * 86_400_000 + Math.floor(next() * 7_200_000);
      const drawn = names[Math.floor(next() * names.length)]!;
      const event = personless && index <= 2 ? ['read docs', '$pageview', 'signed up'][index]! : drawn;
      // A merged person starts under both ids (two persons), then the alias merges them.
      const distinctId = merged && index > 0 && index < 4 ? ids[0]! : ids.at(-1)!;
      const properties: Record<string, unknown> = { $browser: next() > 0.4 ? 'Chrome' : 'Firefox' };
      if (personless) properties.$process_person_profile = false;
      events.push({ event, distinct_id: distinctId, timestamp: iso(time), properties });
      if (merged && index === 3) {
        events.push({ event: '$create_alias', distinct_id: ids[1]!, timestamp: iso(time + 1000), properties: { alias: ids[0] } });
      }
    }
    if (!personless && person % 3 === 0) {
      events.push({ event: '$set', distinct_id: ids.at(-1)!, timestamp: iso(time + 2000), properties: { $set: { plan: 'pro' } } });
    }
  }
  return events;
}

let fixture: InsightFixture;
beforeAll(async () => {
  fixture = await startInsightFixture(buildEvents(), { postgresOnly: true });
  // The worker writes a personless event with its distinct id's person id; events loaded
  // without a worker (COPY, an import) have none, and the probe finds those by distinct id.
  await runQuery(fixture.server.db.pool, 'test.unwritten_persons',
    "UPDATE events SET person_id = NULL WHERE person_id = md5(distinct_id)::uuid AND distinct_id LIKE '%4'");
});
afterAll(() => fixture.stop());

/** Persons past the first step: how far, and when each step was done. */
function pastFirstStep(evaluation: FunnelEvaluation): Map<string, { steps: number; times: number[] }> {
  return new Map(evaluation.outcomes.filter((outcome) => outcome.match.steps > 1)
    .map((outcome) => [outcome.personId, { steps: outcome.match.steps, times: outcome.match.times }]));
}

const funnels: Array<[string, Record<string, unknown>]> = [
  ['three steps', { events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }, { id: 'purchase', order: 2 }] }],
  ['a filtered first step', { events: [{ id: '$pageview', order: 0, properties: [{ key: '$browser', value: 'Chrome' }] }, { id: 'signed up', order: 1 }, { id: 'purchase', order: 2 }] }],
  ['a person property filter', { events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }], properties: [{ key: 'plan', value: 'pro', type: 'person' }] }],
  ['one event in two steps', { events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }, { id: '$pageview', order: 2 }] }],
  ['one event in the first two steps', { events: [{ id: '$pageview', order: 0 }, { id: '$pageview', order: 1 }, { id: 'signed up', order: 2 }] }],
  ['a one-day window', { events: [{ id: '$pageview', order: 0 }, { id: 'read docs', order: 1 }, { id: 'signed up', order: 2 }], funnel_window_days: 1 }],
  // The probe looks back no further than the window: a start before that makes no chain.
  ['a two-hour window', { events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }, { id: 'purchase', order: 2 }], funnel_window_interval: 2, funnel_window_interval_unit: 'hour' }],
  ['a four-day window', { events: [{ id: '$pageview', order: 0 }, { id: 'signed up', order: 1 }, { id: 'purchase', order: 2 }], funnel_window_days: 4 }],
];

describe('an ordered funnel from probed first steps', () => {
  it('has merged persons and personless events to probe', async () => {
    const { rows: [found] } = await runQuery<{ overrides: number; personless: number }>(fixture.server.db.pool, 'test.coverage',
      `SELECT (SELECT count(*)::int FROM person_overrides) AS overrides,
              (SELECT count(*)::int FROM events WHERE person_id IS NULL AND event = 'signed up') AS personless`);
    expect(found!.overrides).toBeGreaterThan(3);
    expect(found!.personless).toBeGreaterThan(0);
  });

  it.each(funnels)('agrees with every event read: %s', async (_, extra) => {
    const filter = insightFilterSchema.parse({ insight: 'FUNNELS', date_from: '2026-05-03', date_to: '2026-06-20', ...extra });
    const context = await fixture.context();
    const probed = await evaluateFunnel(context, filter, false);
    const everyEvent = await evaluateFunnel(context, filter, true);
    expect(everyEvent.unlistedEntrants).toBe(0);
    expect(probed.outcomes.length + probed.unlistedEntrants).toBe(everyEvent.outcomes.length);
    const expected = pastFirstStep(everyEvent);
    expect(expected.size).toBeGreaterThan(2);
    expect(pastFirstStep(probed)).toEqual(expected);
  });
});
