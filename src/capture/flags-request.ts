import type { FlagsRequest } from '../flags/load-flag-subject.ts';
import type { PropertyValues } from '../flags/match-flag-property.ts';
import { toStorableText } from '../ingestion/sanitise-json.ts';
import { CaptureError, invalidPayload } from './capture-error.ts';

const maxIdLength = 2000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalRecord(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw invalidPayload(`${field} must be an object`);
  return value;
}

function idField(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw invalidPayload(`${field} must be a string`);
  if (value.length > maxIdLength) throw invalidPayload(`${field} is longer than ${maxIdLength} characters`);
  // Cleaned as capture cleans distinct ids, so the person lookup finds what capture stored.
  return toStorableText(value);
}

/**
 * The body of /decide or /flags as posthog-js and posthog-node send it. Records are copied key by
 * key into null-prototype objects, so keys like "__proto__" stay data.
 */
export function parseFlagsRequest(payload: unknown, formApiKey: string | undefined): FlagsRequest {
  if (!isRecord(payload)) throw invalidPayload('the body must be a JSON object with token and distinct_id');
  const token = idField(formApiKey ?? payload.token ?? payload.api_key ?? payload.$token, 'token');
  if (!token) throw new CaptureError(401, 'authentication_error', 'invalid_api_key', 'no project API token in the request (token or api_key)');
  const distinctId = idField(payload.distinct_id, 'distinct_id');
  if (!distinctId) throw invalidPayload('distinct_id is required');
  const personProperties: PropertyValues = Object.assign(Object.create(null), optionalRecord(payload, 'person_properties'));
  const groups: Record<string, string> = Object.create(null);
  for (const [name, key] of Object.entries(optionalRecord(payload, 'groups'))) {
    const text = idField(key, `groups.${name}`);
    if (text !== undefined) groups[name] = text;
  }
  const groupProperties: Record<string, PropertyValues> = Object.create(null);
  for (const [name, properties] of Object.entries(optionalRecord(payload, 'group_properties'))) {
    if (!isRecord(properties)) throw invalidPayload(`group_properties.${name} must be an object`);
    groupProperties[name] = Object.assign(Object.create(null), properties);
  }
  const flagKeys = payload.flag_keys_to_evaluate;
  if (flagKeys !== undefined && flagKeys !== null && (!Array.isArray(flagKeys) || !flagKeys.every((key) => typeof key === 'string'))) {
    throw invalidPayload('flag_keys_to_evaluate must be a list of flag keys');
  }
  return {
    token,
    distinctId,
    anonDistinctId: idField(payload.$anon_distinct_id, '$anon_distinct_id'),
    personProperties,
    groups,
    groupProperties,
    flagKeys: Array.isArray(flagKeys) ? flagKeys as string[] : undefined,
  };
}
