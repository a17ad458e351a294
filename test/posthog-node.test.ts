import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../src/db/pool.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(() => server.stop());

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}/api/projects/${server.project.id}${path}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
  expect(response.status).toBe(200);
  return response.json() as Promise<T>;
}

describe('the official posthog-node SDK against a running Sounder', () => {
  for (const disableCompression of [false, true]) {
    it(`captures, identifies, aliases and groups (${disableCompression ? 'plain JSON' : 'gzip'})`, async () => {
      const suffix = disableCompression ? 'plain' : 'gzip';
      const client = new PostHog(server.project.api_token, { host: server.url, flushAt: 3, flushInterval: 50, disableCompression });
      client.capture({ distinctId: `anon-${suffix}`, event: 'signed up', properties: { plan: 'pro', $set: { first_seen: 'today' } } });
      client.identify({ distinctId: `user-${suffix}`, properties: { email: `${suffix}@example.com`, $anon_distinct_id: `anon-${suffix}` } });
      client.alias({ distinctId: `user-${suffix}`, alias: `crm-${suffix}` });
      client.groupIdentify({ groupType: 'company', groupKey: `acme-${suffix}`, properties: { employees: 12 } });
      client.capture({ distinctId: `user-${suffix}`, event: 'purchase', properties: { revenue: 42.5 }, groups: { company: `acme-${suffix}` } });
      await client.shutdown();
      await server.drained();

      const events = await api<{ results: Array<{ event: string; distinct_id: string; properties: Record<string, unknown> }> }>(`/events?distinct_id=user-${suffix}`);
      expect(events.results.map((e) => e.event).sort()).toEqual(['$create_alias', '$identify', 'purchase']);
      const purchase = events.results.find((e) => e.event === 'purchase')!;
      expect(purchase.properties.revenue).toBe(42.5);
      expect(purchase.properties.$lib).toBe('posthog-node');
      expect(purchase.properties.$groups).toEqual({ company: `acme-${suffix}` });

      const persons = await api<{ results: Array<{ uuid: string; distinct_ids: string[]; properties: Record<string, unknown>; is_identified: boolean }> }>(`/persons?distinct_id=crm-${suffix}`);
      expect(persons.results).toHaveLength(1);
      const person = persons.results[0]!;
      expect(person.distinct_ids).toEqual([`anon-${suffix}`, `crm-${suffix}`, `user-${suffix}`].sort());
      expect(person.properties).toMatchObject({ email: `${suffix}@example.com`, first_seen: 'today' });
      expect(person.is_identified).toBe(true);

      const anonEvents = await api<{ results: Array<{ person_id: string }> }>(`/events?person_id=${person.uuid}`);
      expect(anonEvents.results).toHaveLength(4);
      expect(new Set(anonEvents.results.map((e) => e.person_id))).toEqual(new Set([person.uuid]));

      const { rows: groups } = await runQuery<{ properties: Record<string, unknown>; group_type: string }>(server.db.pool, 'test.groups',
        `SELECT g.properties, m.group_type FROM groups g JOIN group_type_mapping m ON m.project_id = g.project_id AND m.group_type_index = g.group_type_index
         WHERE g.group_key = $1`, [`acme-${suffix}`]);
      expect(groups).toEqual([{ properties: { employees: 12 }, group_type: 'company' }]);
    });
  }
});
