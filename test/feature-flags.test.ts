import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonalApiKey } from '../src/accounts/personal-api-keys.ts';
import { createProject } from '../src/accounts/projects.ts';
import { buildApp } from '../src/api/app.ts';
import { sendCapture } from './helpers/capture-client.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

interface Reply { status: number; body: any; headers: Headers }

async function api(method: string, path: string, body?: unknown, apiKey = server.apiKey): Promise<Reply> {
  const response = await fetch(`${server.url}/api/projects/${server.project.id}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function createFlag(flag: object): Promise<{ id: number; key: string; version: number }> {
  const reply = await api('POST', '/feature_flags', flag);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
}

/** What posthog-node sends to /flags/?v=2, as plain JSON. */
async function askFlags(body: Record<string, unknown>, path = '/flags/?v=2'): Promise<any> {
  const reply = await sendCapture(server.url, { token: server.project.api_token, ...body }, { path });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

beforeAll(async () => {
  server = await startTestServer();
  const batch = [
    { event: '$identify', distinct_id: 'pro-user', timestamp: ago(3), properties: { $set: { plan: 'pro', email: 'ann@big.example', visits: '12' } } },
    { event: '$identify', distinct_id: 'free-user', timestamp: ago(3), properties: { $set: { plan: 'free' } } },
    { event: 'purchase', distinct_id: 'free-user', timestamp: ago(2) },
    { event: '$groupidentify', distinct_id: 'pro-user', timestamp: ago(3), properties: { $group_type: 'company', $group_key: 'acme', $group_set: { seats: 40, tier: 'enterprise' } } },
    { event: '$groupidentify', distinct_id: 'pro-user', timestamp: ago(3), properties: { $group_type: 'company', $group_key: 'tiny', $group_set: { seats: 2 } } },
  ];
  expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
  await server.drained();
});
afterAll(() => server.stop());

describe('feature flags over REST', () => {
  it('are created, listed, read, updated with a new version, and deleted', async () => {
    const flag = await createFlag({ key: 'crud-flag', name: 'New checkout', filters: { groups: [{ properties: [], rollout_percentage: 30 }] } });
    expect(flag).toMatchObject({ key: 'crud-flag', name: 'New checkout', active: true, version: 1, ensure_experience_continuity: false });
    expect((await api('GET', '/feature_flags')).body.results.map((f: { key: string }) => f.key)).toContain('crud-flag');
    expect((await api('GET', `/feature_flags/${flag.id}`)).body.filters.groups[0].rollout_percentage).toBe(30);

    const updated = await api('PATCH', `/feature_flags/${flag.id}`, { active: false, name: 'Old checkout' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ active: false, name: 'Old checkout', version: 2 });

    const duplicate = await api('POST', '/feature_flags', { key: 'crud-flag' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toMatchObject({ type: 'validation_error', attr: 'key' });

    expect((await api('DELETE', `/feature_flags/${flag.id}`)).status).toBe(204);
    expect((await api('GET', `/feature_flags/${flag.id}`)).status).toBe(404);
    expect((await api('DELETE', `/feature_flags/${flag.id}`)).status).toBe(404);
    // A deleted flag's key is free again.
    await createFlag({ key: 'crud-flag', active: false });
  });

  it.each([
    [{ key: 'has space' }, 'key'],
    [{ key: 'v', filters: { groups: [], multivariate: { variants: [{ key: 'a', rollout_percentage: 50 }, { key: 'b', rollout_percentage: 40 }] } } }, 'filters.multivariate.variants', /sum to 100, not 90/],
    [{ key: 'v', filters: { multivariate: { variants: [{ key: 'a', rollout_percentage: 50 }, { key: 'a', rollout_percentage: 50 }] } } }, 'filters.multivariate.variants.1.key', /used twice/],
    [{ key: 'v', filters: { groups: [{ rollout_percentage: 101 }] } }, 'filters.groups.0.rollout_percentage'],
    [{ key: 'v', filters: { groups: [{ properties: [{ key: 'plan', value: 'x', operator: 'sounds_like' }] }] } }, 'filters.groups.0.properties.0'],
    [{ key: 'v', filters: { groups: [{ properties: [{ key: 'email', value: '(unclosed', operator: 'regex' }] }] } }, 'filters.groups.0.properties.0'],
    [{ key: 'v', filters: { groups: [{ variant: 'nope' }], multivariate: { variants: [{ key: 'a', rollout_percentage: 100 }] } } }, 'filters.groups.0.variant'],
    [{ key: 'v', filters: { payloads: { other: '{}' } } }, 'filters.payloads.other'],
    [{ key: 'v', filters: { groups: [{ properties: [{ key: 'seats', value: 1, operator: 'gt', type: 'group', group_type_index: 0 }] }] } }, 'filters.groups.0.properties.0.type'],
  ])('reject %j naming the field', async (input, attr, message?: RegExp) => {
    const reply = await api('POST', '/feature_flags', input);
    expect(reply.status).toBe(400);
    // A union of condition shapes reports at the condition; others at the exact field.
    expect(reply.body.attr === attr || reply.body.attr?.startsWith(`${attr}.`), JSON.stringify(reply.body)).toBe(true);
    if (message) expect(reply.body.detail).toMatch(message);
  });

  it('stay inside their project', async () => {
    const other = await createProject(server.db.pool, 'Other project');
    const otherKey = (await createPersonalApiKey(server.db.pool, other.id)).key;
    const flag = await createFlag({ key: 'private-flag' });
    const response = await fetch(`${server.url}/api/projects/${server.project.id}/feature_flags/${flag.id}`, { headers: { authorization: `Bearer ${otherKey}` } });
    // Another project's ids are not even confirmed to exist.
    expect(response.status).toBe(404);
    const reply = await fetch(`${server.url}/api/projects/${other.id}/feature_flags/${flag.id}`, { headers: { authorization: `Bearer ${otherKey}` } });
    expect(reply.status).toBe(404);
    const answer = await sendCapture(server.url, { token: other.api_token, distinct_id: 'x' }, { path: '/flags/?v=2' });
    expect(answer.body.featureFlags).toEqual({});
  });
});

describe('/flags and /decide', () => {
  it('evaluate rollouts, conditions on stored and sent properties, variants and payloads', async () => {
    await createFlag({ key: 'everyone', filters: { groups: [{ rollout_percentage: 100 }], payloads: { true: { color: 'blue' } } } });
    await createFlag({ key: 'nobody', filters: { groups: [{ rollout_percentage: 0 }] } });
    await createFlag({ key: 'pro-only', filters: { groups: [{ properties: [{ key: 'plan', value: ['pro'], operator: 'exact' }], rollout_percentage: 100 }] } });
    await createFlag({ key: 'no-plan', filters: { groups: [{ properties: [{ key: 'plan', operator: 'is_not_set' }] }] } });
    await createFlag({ key: 'frequent', filters: { groups: [{ properties: [{ key: 'visits', value: 10, operator: 'gt' }] }] } });
    await createFlag({
      key: 'pinned-variant',
      filters: {
        groups: [{ properties: [{ key: 'email', value: '@big\\.example$', operator: 'regex' }], variant: 'wide' }, { rollout_percentage: 100 }],
        multivariate: { variants: [{ key: 'narrow', rollout_percentage: 100 }, { key: 'wide', rollout_percentage: 0 }] },
        payloads: { wide: '{"width": 1200}', narrow: 'plain text' },
      },
    });
    await createFlag({ key: 'switched-off', active: false });
    const gone = await createFlag({ key: 'deleted-flag' });
    expect((await api('DELETE', `/feature_flags/${gone.id}`)).status).toBe(204);

    const pro = await askFlags({ distinct_id: 'pro-user' });
    expect(pro.featureFlags).toMatchObject({ everyone: true, nobody: false, 'pro-only': true, 'no-plan': false, frequent: true, 'pinned-variant': 'wide', 'switched-off': false });
    expect(pro.featureFlags).not.toHaveProperty('deleted-flag');
    expect(pro.featureFlagPayloads).toMatchObject({ everyone: '{"color":"blue"}', 'pinned-variant': '{"width": 1200}' });
    expect(pro.flags['pro-only']).toMatchObject({ key: 'pro-only', enabled: true, variant: null, reason: { code: 'condition_match', condition_index: 0 } });
    expect(pro.flags.nobody.reason.code).toBe('out_of_rollout_bound');
    expect(pro.flags['switched-off'].reason.code).toBe('disabled');
    expect(pro.flags.everyone.metadata).toMatchObject({ version: 1, payload: '{"color":"blue"}' });
    expect(pro.errorsWhileComputingFlags).toBe(false);

    // What the SDK sends wins over what is stored; a person with no such property matches only is_not_set.
    const downgraded = await askFlags({ distinct_id: 'pro-user', person_properties: { plan: 'free', visits: 3 } });
    expect(downgraded.featureFlags).toMatchObject({ 'pro-only': false, frequent: false });
    expect(downgraded.flags['pro-only'].reason.code).toBe('no_condition_match');
    const stranger = await askFlags({ distinct_id: 'never-seen' });
    expect(stranger.featureFlags).toMatchObject({ everyone: true, 'pro-only': false, 'no-plan': true, frequent: false, 'pinned-variant': 'narrow' });
    expect(stranger.featureFlagPayloads['pinned-variant']).toBe('plain text');
    const sentOnly = await askFlags({ distinct_id: 'never-seen', person_properties: { plan: 'PRO' } });
    expect(sentOnly.featureFlags).toMatchObject({ 'pro-only': true, 'no-plan': false });

    const only = await askFlags({ distinct_id: 'pro-user', flag_keys_to_evaluate: ['everyone'] });
    expect(Object.keys(only.featureFlags)).toEqual(['everyone']);
  });

  it('answer in the shape each SDK version reads', async () => {
    await createFlag({ key: 'shape-on' });
    await createFlag({ key: 'shape-off', filters: { groups: [{ rollout_percentage: 0 }] } });
    const v1 = await askFlags({ distinct_id: 'u' }, '/decide/?v=1');
    expect(v1.featureFlags).toContain('shape-on');
    expect(v1.featureFlags).not.toContain('shape-off');
    const v2 = await askFlags({ distinct_id: 'u' }, '/decide/?v=2');
    expect(v2.featureFlags['shape-on']).toBe(true);
    expect(v2.featureFlags).not.toHaveProperty('shape-off');
    for (const path of ['/decide/?v=3', '/decide/?v=4', '/flags/?v=1', '/flags/?v=2']) {
      const answer = await askFlags({ distinct_id: 'u' }, path);
      expect(answer.featureFlags).toMatchObject({ 'shape-on': true, 'shape-off': false });
      expect(answer.flags['shape-off']).toMatchObject({ enabled: false, variant: null });
    }
    // posthog-js sends gzip with ?compression=gzip-js, and a GET with the body in data=.
    const gzipped = await fetch(`${server.url}/flags/?v=2&compression=gzip-js`, {
      method: 'POST', body: gzipSync(JSON.stringify({ token: server.project.api_token, distinct_id: 'u' })), headers: { 'content-type': 'text/plain' },
    });
    expect((await gzipped.json() as any).featureFlags['shape-on']).toBe(true);
  });

  it('split a multivariate flag by the percentages, the same way on every call', async () => {
    await createFlag({ key: 'three-way', filters: { groups: [{ rollout_percentage: 100 }], multivariate: { variants: [{ key: 'a', rollout_percentage: 20 }, { key: 'b', rollout_percentage: 30 }, { key: 'c', rollout_percentage: 50 }] } } });
    await createFlag({ key: 'half', filters: { groups: [{ rollout_percentage: 50 }] } });
    const counts: Record<string, number> = {};
    let halfOn = 0;
    for (let i = 0; i < 400; i++) {
      const answer = await askFlags({ distinct_id: `split-${i}`, flag_keys_to_evaluate: ['three-way', 'half'] });
      counts[answer.featureFlags['three-way']] = (counts[answer.featureFlags['three-way']] ?? 0) + 1;
      if (answer.featureFlags.half === true) halfOn++;
    }
    // 400 draws: each share is within about 3 standard deviations of its percentage.
    expect(counts.a! / 400).toBeGreaterThan(0.13);
    expect(counts.a! / 400).toBeLessThan(0.27);
    expect(counts.b! / 400).toBeGreaterThan(0.22);
    expect(counts.b! / 400).toBeLessThan(0.38);
    expect(counts.c! / 400).toBeGreaterThan(0.42);
    expect(counts.c! / 400).toBeLessThan(0.58);
    expect(halfOn / 400).toBeGreaterThan(0.42);
    expect(halfOn / 400).toBeLessThan(0.58);
    const first = await askFlags({ distinct_id: 'split-7' });
    const again = await askFlags({ distinct_id: 'split-7' });
    expect(again.featureFlags['three-way']).toBe(first.featureFlags['three-way']);
  });

  it('evaluate group flags by the group key and stored or sent group properties', async () => {
    await createFlag({ key: 'big-companies', filters: { aggregation_group_type_index: 0, groups: [{ properties: [{ key: 'seats', value: 10, operator: 'gte', type: 'group', group_type_index: 0 }], rollout_percentage: 100 }] } });
    expect((await askFlags({ distinct_id: 'pro-user' })).flags['big-companies']).toMatchObject({ enabled: false, reason: { code: 'no_group_type' } });
    expect((await askFlags({ distinct_id: 'pro-user', groups: { company: 'acme' } })).featureFlags['big-companies']).toBe(true);
    expect((await askFlags({ distinct_id: 'free-user', groups: { company: 'tiny' } })).featureFlags['big-companies']).toBe(false);
    expect((await askFlags({ distinct_id: 'free-user', groups: { company: 'tiny' }, group_properties: { company: { seats: 11 } } })).featureFlags['big-companies']).toBe(true);
    expect((await askFlags({ distinct_id: 'free-user', groups: { company: 'unknown-co' } })).featureFlags['big-companies']).toBe(false);
  });

  it('match cohorts: of properties, static lists, and behaviour', async () => {
    const cohort = async (body: object) => {
      const reply = await api('POST', '/cohorts', body);
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      return reply.body.id as number;
    };
    const proCohort = await cohort({ name: 'Pro', filters: { properties: { type: 'AND', values: [{ type: 'person', key: 'plan', value: 'pro', operator: 'exact' }] } } });
    const listed = await cohort({ name: 'Beta list', csv: 'distinct_id\nfree-user\n' });
    const buyers = await cohort({ name: 'Buyers', filters: { properties: { type: 'AND', values: [{ type: 'behavioral', key: 'purchase', value: 'performed_event', time_value: 30, time_interval: 'day' }] } } });
    await createFlag({ key: 'cohort-pro', filters: { groups: [{ properties: [{ type: 'cohort', key: 'id', value: proCohort }] }] } });
    await createFlag({ key: 'cohort-listed', filters: { groups: [{ properties: [{ type: 'cohort', key: 'id', value: listed }] }] } });
    await createFlag({ key: 'cohort-buyers', filters: { groups: [{ properties: [{ type: 'cohort', key: 'id', value: buyers }] }] } });
    await createFlag({ key: 'not-buyers', filters: { groups: [{ properties: [{ type: 'cohort', key: 'id', value: buyers, operator: 'not_in' }] }] } });
    const keys = ['cohort-pro', 'cohort-listed', 'cohort-buyers', 'not-buyers'];
    const answer = async (body: object) => (await askFlags({ ...body, flag_keys_to_evaluate: keys })).featureFlags;
    expect(await answer({ distinct_id: 'pro-user' })).toEqual({ 'cohort-pro': true, 'cohort-listed': false, 'cohort-buyers': false, 'not-buyers': true });
    expect(await answer({ distinct_id: 'free-user' })).toEqual({ 'cohort-pro': false, 'cohort-listed': true, 'cohort-buyers': true, 'not-buyers': false });
    // A properties cohort is matched on the properties in hand, sent ones included.
    expect((await answer({ distinct_id: 'free-user', person_properties: { plan: 'pro' } }))['cohort-pro']).toBe(true);
  });

  it('keep an anonymous user\'s answers after they identify, when the flag asks for experience continuity', async () => {
    await createFlag({ key: 'sticky', ensure_experience_continuity: true, filters: { groups: [{ rollout_percentage: 50 }], multivariate: { variants: [{ key: 'x', rollout_percentage: 50 }, { key: 'y', rollout_percentage: 50 }] } } });
    let differsWithoutContinuity = 0;
    for (let i = 0; i < 40; i++) {
      const anonymous = (await askFlags({ distinct_id: `anon-${i}`, flag_keys_to_evaluate: ['sticky'] })).featureFlags.sticky;
      const fresh = (await askFlags({ distinct_id: `other-user-${i}`, flag_keys_to_evaluate: ['sticky'] })).featureFlags.sticky;
      if (fresh !== anonymous) differsWithoutContinuity++;
      const identifying = await askFlags({ distinct_id: `user-${i}`, $anon_distinct_id: `anon-${i}`, flag_keys_to_evaluate: ['sticky'] });
      expect(identifying.featureFlags.sticky).toBe(anonymous);
      // Later calls no longer name the anonymous id; the answer stays.
      expect((await askFlags({ distinct_id: `user-${i}`, flag_keys_to_evaluate: ['sticky'] })).featureFlags.sticky).toBe(anonymous);
    }
    // Without the remembered hash key the answers would often differ: the test is not vacuous.
    expect(differsWithoutContinuity).toBeGreaterThan(10);
  });

  it('reject what is not a flags request, by name', async () => {
    const post = (body: string | object, path = '/flags/?v=2') => sendCapture(server.url, body, { path });
    expect((await post({ token: 'phc_unknown', distinct_id: 'x' })).status).toBe(401);
    expect((await post({ distinct_id: 'x' })).status).toBe(401);
    const malformed = await post('{"token": ');
    expect(malformed.status).toBe(400);
    const noId = await post({ token: server.project.api_token });
    expect(noId.status).toBe(400);
    expect(noId.body.detail).toMatch(/distinct_id/);
    const badProperties = await post({ token: server.project.api_token, distinct_id: 'x', person_properties: 'plan=pro' });
    expect(badProperties.status).toBe(400);
    expect(badProperties.body.detail).toMatch(/person_properties/);
    const badKeys = await post({ token: server.project.api_token, distinct_id: 'x', flag_keys_to_evaluate: 'a' });
    expect(badKeys.body.detail).toMatch(/flag_keys_to_evaluate/);
    // The process is still answering.
    expect((await post({ token: server.project.api_token, distinct_id: 'x' })).status).toBe(200);
  });

  it('tell posthog-js there are flags to ask for', async () => {
    const config = await (await fetch(`${server.url}/array/${server.project.api_token}/config`)).json() as { hasFeatureFlags: boolean };
    expect(config.hasFeatureFlags).toBe(true);
  });
});

describe('local evaluation definitions', () => {
  const definitions = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  it('need a personal API key of the token\'s project, and send an ETag', async () => {
    const path = `/flags/definitions?token=${server.project.api_token}&send_cohorts`;
    expect((await definitions(path)).status).toBe(401);
    expect((await definitions(path, { authorization: 'Bearer phx_wrong' })).status).toBe(401);
    const other = await createProject(server.db.pool, 'Another');
    const otherKey = (await createPersonalApiKey(server.db.pool, other.id)).key;
    expect((await definitions(path, { authorization: `Bearer ${otherKey}` })).status).toBe(403);
    expect((await definitions('/flags/definitions?token=phc_nope', { authorization: `Bearer ${server.apiKey}` })).status).toBe(401);

    const auth = { authorization: `Bearer ${server.apiKey}` };
    const first = await definitions(path, auth);
    expect(first.status).toBe(200);
    const body = await first.json() as { flags: Array<{ key: string; filters: object }>; group_type_mapping: Record<string, string>; cohorts: Record<string, object> };
    expect(body.group_type_mapping).toEqual({ 0: 'company' });
    expect(body.flags.map((flag) => flag.key)).toContain('everyone');
    expect(body.flags.map((flag) => flag.key)).not.toContain('deleted-flag');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await definitions(path, { ...auth, 'if-none-match': etag })).status).toBe(304);
    expect((await definitions(`/api/feature_flag/local_evaluation?token=${server.project.api_token}&send_cohorts`, { ...auth, 'if-none-match': etag })).status).toBe(304);

    await createFlag({ key: 'after-etag' });
    const changed = await definitions(path, { ...auth, 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('reach a second web process within seconds of an edit', async () => {
    const other = await buildApp({ db: server.db.pool, pool: server.db.pool, logLevel: 'silent', flagCacheSeconds: 1 });
    await other.listen({ port: 0, host: '127.0.0.1' });
    try {
      const otherUrl = `http://127.0.0.1:${(other.server.address() as AddressInfo).port}`;
      const ask = async () => (await sendCapture(otherUrl, { token: server.project.api_token, distinct_id: 'u', flag_keys_to_evaluate: ['late-flag'] }, { path: '/flags/?v=2' })).body.featureFlags['late-flag'];
      expect(await ask()).toBeUndefined();
      const flag = await createFlag({ key: 'late-flag' });
      const changedAt = Date.now();
      while (await ask() !== true) {
        expect(Date.now() - changedAt).toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await api('PATCH', `/feature_flags/${flag.id}`, { active: false });
      while (await ask() !== false) {
        expect(Date.now() - changedAt).toBeLessThan(20_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await other.close();
    }
  });
});

describe('flag usage', () => {
  it('counts the $feature_flag_called events per value served', async () => {
    const flag = await createFlag({ key: 'usage-flag', filters: { groups: [{ rollout_percentage: 100 }], multivariate: { variants: [{ key: 'on', rollout_percentage: 100 }] } } });
    const called = (distinctId: string, response: unknown, daysAgo: number) => ({
      event: '$feature_flag_called', distinct_id: distinctId, timestamp: ago(daysAgo), properties: { $feature_flag: 'usage-flag', $feature_flag_response: response },
    });
    const batch = [called('a', 'on', 1), called('a', 'on', 1), called('b', 'on', 2), called('c', false, 2), called('d', 'on', 30),
      { event: '$feature_flag_called', distinct_id: 'e', timestamp: ago(1), properties: { $feature_flag: 'another', $feature_flag_response: true } }];
    expect((await sendCapture(server.url, { api_key: server.project.api_token, batch })).status).toBe(200);
    await server.drained();
    const usage = (await api('GET', `/feature_flags/${flag.id}/usage?date_from=-7d`)).body;
    expect(usage).toMatchObject({
      flag: 'usage-flag', evaluations: 4, distinct_ids: 3,
      responses: [{ value: 'on', evaluations: 3, distinct_ids: 2 }, { value: 'false', evaluations: 1, distinct_ids: 1 }],
    });
    expect(usage.days.reduce((sum: number, day: { evaluations: number }) => sum + day.evaluations, 0)).toBe(4);
    expect((await api('GET', `/feature_flags/${flag.id}/usage?date_from=-60d`)).body.evaluations).toBe(5);
  });
});
