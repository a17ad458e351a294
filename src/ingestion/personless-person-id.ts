import { createHash } from 'node:crypto';

/**
 * The person id of events stored without a person profile: the md5 of the distinct id as a
 * uuid, the same value as Postgres' `md5(distinct_id)::uuid`, so events written before this id
 * was stored (person_id NULL) and after it count as the same person.
 */
export function personlessPersonId(distinctId: string): string {
  const hex = createHash('md5').update(distinctId, 'utf8').digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
