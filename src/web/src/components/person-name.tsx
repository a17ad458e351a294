import type { Person } from '../api/types.ts';

/** How PostHog names a person: email, then name, then the first distinct id. */
export function personName(person: Pick<Person, 'properties' | 'distinct_ids'>): string {
  for (const key of ['email', 'name', '$email', 'username']) {
    const value = person.properties[key];
    if (typeof value === 'string' && value) return value;
  }
  return person.distinct_ids[0] ?? 'Anonymous';
}
