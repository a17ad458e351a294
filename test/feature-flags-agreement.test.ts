import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const people = 10_000;
const concurrency = 8;

let server: TestServer;

/** Flags covering what both the server and posthog-node's local evaluation decide: rollouts, operators, variants, payloads, groups, a properties cohort. */
function flagsUsing(cohortId: number): object[] {
  const variants = [{ key: 'control', rollout_percentage: 34 }, { key: 'test', rollout_percentage: 33 }, { key: 'other', rollout_percentage: 33 }];
  return [
    { key: 'rollout-30', filters: { groups: [{ rollout_percentage: 30 }] } },
    { key: 'everyone-payload', filters: { groups: [{ rollout_percentage: 100 }], payloads: { true: { banner: 'hello' } } } },
    { key: 'paid-plans', filters: { groups: [{ properties: [{ key: 'plan', value: ['pro', 'enterprise'], operator: 'exact' }], rollout_percentage: 100 }] } },
    { key: 'nz-60', filters: { groups: [{ properties: [{ key: 'country', value: 'nz', operator: 'icontains' }], rollout_percentage: 60 }] } },
    { key: 'over-30', filters: { groups: [{ properties: [{ key: 'age', value: 30, operator: 'gt' }] }] } },
    { key: 'example-email', filters: { groups: [{ properties: [{ key: 'email', value: '@example\\.com$', operator: 'regex' }], rollout_percentage: 50 }] } },
    { key: 'three-variants', filters: { groups: [{ rollout_percentage: 100 }], multivariate: { variants }, payloads: { control: '{"n": 1}', test: '"two"' } } },
    {
      key: 'pinned-for-pro',
      filters: {
        groups: [{ properties: [{ key: 'plan', value: 'pro' }], variant: 'test' }, { rollout_percentage: 40 }],
        multivariate: { variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }] },
      },
    },
    {
      key: 'big-companies',
      filters: {
        aggregation_group_type_index: 0,
        groups: [{ properties: [{ key: 'seats', value: 10, operator: 'gte', type: 'group', group_type_index: 0 }] }, { rollout_percentage: 20 }],
      },
    },
    { key: 'company-variants', filters: { aggregation_group_type_index: 0, groups: [{ rollout_percentage: 70 }], multivariate: { variants } } },
    { key: 'no-plan', filters: { groups: [{ properties: [{ key: 'plan', operator: 'is_not_set' }] }] } },
    { key: 'young-free', filters: { groups: [{ properties: [{ type: 'cohort', key: 'id', value: cohortId }], rollout_percentage: 80 }] } },
    { key: 'recent-signup', filters: { groups: [{ properties: [{ key: 'signed_up', value: '2026-01-01', operator: 'is_date_after' }, { key: 'plan', value: 'free', operator: 'is_not' }] }] } },
    { key: 'turned-off', active: false, filters: { groups: [{ rollout_percentage: 100 }] } },
  ];
}

/** A deterministic variety of person properties and groups: some missing, numbers as strings, mixed case. */
function personFor(i: number) {
  const personProperties: Record<string, unknown> = {};
  const plans = ['free', 'pro', 'enterprise', 'Pro'];
  if (i % 5 !== 4) personProperties.plan = plans[i % 4];
  if (i % 3 !== 0) personProperties.country = ['NZ', 'nz-north', 'US', 'de'][i % 4];
  if (i % 7 !== 0) personProperties.age = i % 2 === 0 ? (i * 7) % 60 : String((i * 11) % 60);
  if (i % 2 === 0) personProperties.email = `user${i}@${i % 4 === 0 ? 'example.com' : 'other.org'}`;
  if (i % 6 !== 5) personProperties.signed_up = `${i % 3 === 0 ? 2026 : 2025}-${String(1 + (i % 12)).padStart(2, '0')}-15`;
  const groups: Record<string, string> = {};
  const groupProperties: Record<string, Record<string, unknown>> = {};
  if (i % 4 !== 3) {
    groups.company = `company-${i % 97}`;
    groupProperties.company = { seats: (i % 97) % 25 };
  }
  return { distinctId: `person-${i}`, personProperties, groups, groupProperties };
}

async function inParallel<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  }));
  return results;
}

type Answer = { flags: Record<string, unknown>; payloads: Record<string, unknown> };

beforeAll(async () => {
  server = await startTestServer();
  // The group type must exist for group flags; its key here is not one the people use.
  const groupType = { event: '$groupidentify', distinct_id: 'setup', properties: { $group_type: 'company', $group_key: 'setup-co', $group_set: { seats: 1 } } };
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch: [groupType] })).status).toBe(200);
  await server.drained();
  const api = (path: string, body: object) => fetch(`${server.url}/api/projects/${server.project.id}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const cohort = await api('/cohorts', { name: 'Young free', filters: { properties: { type: 'AND', values: [
    { type: 'person', key: 'plan', value: 'free', operator: 'exact' }, { type: 'person', key: 'age', value: 25, operator: 'lt' },
  ] } } });
  expect(cohort.status).toBe(201);
  const cohortId = (await cohort.json() as { id: number }).id;
  for (const flag of flagsUsing(cohortId)) {
    const reply = await api('/feature_flags', flag);
    expect(reply.status, await reply.clone().text()).toBe(201);
  }
}, 60_000);
afterAll(() => server.stop());

describe(`flag answers for ${people} people`, () => {
  it('are the same from /flags, posthog-node remote evaluation and posthog-node local evaluation', async () => {
    const fromServer = await inParallel(people, async (i): Promise<Answer> => {
      const person = personFor(i);
      const reply = await sendCapture(server.url, {
        token: server.project.api_token,
        distinct_id: person.distinctId,
        person_properties: person.personProperties,
        groups: person.groups,
        group_properties: person.groupProperties,
      }, { path: '/flags/?v=2' });
      expect(reply.status).toBe(200);
      const payloads = Object.fromEntries(Object.entries(reply.body.featureFlagPayloads as Record<string, string>).map(([key, text]) => {
        try { return [key, JSON.parse(text)]; } catch { return [key, text]; }
      }));
      return { flags: reply.body.featureFlags, payloads };
    });

    const remote = new PostHog(server.project.api_token, { host: server.url, flushAt: 1000, flushInterval: 60_000 });
    // Counts the requests local evaluation still makes: the SDK asks /flags only when its definitions cannot decide.
    let fallbacks = 0;
    const countingFetch = (url: string, options: object) => {
      if (url.includes('/flags/?')) fallbacks++;
      return fetch(url, options as RequestInit);
    };
    const local = new PostHog(server.project.api_token, {
      host: server.url, personalApiKey: server.apiKey, flushAt: 1000, flushInterval: 60_000, fetch: countingFetch as never,
    });
    try {
      expect(await local.waitForLocalEvaluationReady(10_000)).toBe(true);
      const ask = (client: PostHog, onlyEvaluateLocally: boolean) => inParallel(people, async (i): Promise<Answer> => {
        const person = personFor(i);
        const answer = await client.getAllFlagsAndPayloads(person.distinctId, {
          personProperties: person.personProperties, groups: person.groups, groupProperties: person.groupProperties, onlyEvaluateLocally,
        });
        return { flags: answer.featureFlags ?? {}, payloads: answer.featureFlagPayloads ?? {} };
      });
      const fromRemote = await ask(remote, false);
      const strictlyLocal = await ask(local, true);
      expect(fallbacks).toBe(0);
      const fromLocal = await ask(local, false);

      let mismatches = 0;
      let decidedLocally = 0;
      for (let i = 0; i < people; i++) {
        const expected = JSON.stringify(sorted(fromServer[i]!));
        // A flag the SDK cannot decide from its definitions (a property it was not given) is
        // left out locally; every flag it does decide must match.
        const decided = strictlyLocal[i]!;
        const subset = Object.entries(decided.flags).every(([key, value]) => fromServer[i]!.flags[key] === value);
        if (Object.keys(decided.flags).length === Object.keys(fromServer[i]!.flags).length) decidedLocally++;
        const same = subset && expected === JSON.stringify(sorted(fromRemote[i]!)) && expected === JSON.stringify(sorted(fromLocal[i]!));
        if (!same && mismatches++ < 3) {
          expect({ person: personFor(i), remote: fromRemote[i], local: fromLocal[i] }).toEqual({ person: personFor(i), remote: fromServer[i], local: fromServer[i] });
          expect(decided.flags).toMatchObject(Object.fromEntries(Object.keys(decided.flags).map((key) => [key, fromServer[i]!.flags[key]])));
        }
      }
      expect(mismatches).toBe(0);
      // Those fully decided locally cost no request; only the rest fell back to /flags.
      expect(fallbacks).toBe(people - decidedLocally);
      expect(decidedLocally).toBeGreaterThan(people / 10);

      // Every flag takes more than one value across the people, so agreement is not trivial.
      for (const key of Object.keys(fromServer[0]!.flags)) {
        const values = new Set(fromServer.map((answer) => String(answer.flags[key])));
        if (key === 'everyone-payload') expect([...values]).toEqual(['true']);
        else if (key === 'turned-off') expect([...values]).toEqual(['false']);
        else expect(values.size, key).toBeGreaterThan(1);
      }
    } finally {
      await Promise.all([remote.shutdown(), local.shutdown()]);
    }
  }, 300_000);
});

function sorted(answer: Answer): Answer {
  const order = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return { flags: order(answer.flags), payloads: order(answer.payloads) };
}
