import { uuidv7 } from 'uuidv7';
import { toStorableText } from '../ingestion/sanitise-json.ts';
import { invalidPayload } from './capture-error.ts';
import { nestsDeeperThan } from './nesting-depth.ts';

/** One event as the web tier accepted it: validated, with its uuid fixed, otherwise as sent. */
export interface AcceptedEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  timestamp?: string | number;
  offset?: number;
  $set?: Record<string, unknown>;
  $set_once?: Record<string, unknown>;
}

export interface RejectedEvent { index: number; reason: string }

export interface ExtractedCapture {
  token: string | undefined;
  sentAt: string | number | undefined;
  accepted: AcceptedEvent[];
  rejected: RejectedEvent[];
}

type Json = Record<string, unknown>;

const maxNameLength = 200;
const maxDistinctIdLength = 200;
// Far deeper than any real event; well inside what JSON.stringify and jsonb can take.
const maxNestingDepth = 100;
/** Lower case with hyphens, as Postgres prints it: one spelling per uuid, so duplicates are found by comparing strings. */
function canonicalUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** PostHog's order: form api_key; a list's [0].properties.token; then $token, api_key, token, properties.token. */
function findToken(payload: unknown, formApiKey: string | undefined): string | undefined {
  if (formApiKey) return formApiKey;
  if (Array.isArray(payload)) {
    const first = payload[0];
    return isObject(first) && isObject(first.properties) ? stringField(first.properties.token) : undefined;
  }
  if (!isObject(payload)) return undefined;
  const properties = isObject(payload.properties) ? payload.properties : {};
  const fromBody = stringField(payload.$token) ?? stringField(payload.api_key) ?? stringField(payload.token) ?? stringField(properties.token);
  if (fromBody || !Array.isArray(payload.batch)) return fromBody;
  const first = payload.batch[0];
  return isObject(first) && isObject(first.properties) ? stringField(first.properties.token) : undefined;
}

function distinctIdOf(item: Json, properties: Json): unknown {
  return item.$distinct_id ?? properties.distinct_id ?? item.distinct_id;
}

function validateEvent(item: unknown, forcedName: string | undefined): AcceptedEvent | string {
  if (!isObject(item)) return 'event is not a JSON object';
  if (item.properties !== undefined && item.properties !== null && !isObject(item.properties)) return 'properties must be an object';
  const properties: Json = isObject(item.properties) ? item.properties : {};
  const rawEvent = forcedName ?? item.event;
  // Cleaned first: a name of NUL characters alone would otherwise be stored empty.
  const event = typeof rawEvent === 'string' ? toStorableText(rawEvent) : '';
  if (event.length === 0) return 'missing event name (field "event")';
  if (event.length > maxNameLength) return `event name longer than ${maxNameLength} characters`;

  const rawId = distinctIdOf(item, properties);
  if (rawId === undefined || rawId === null) return 'missing distinct_id';
  if (typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isFinite(rawId))) return 'distinct_id must be a string or a number';
  // Postgres text refuses NUL and unpaired surrogates; cleaning here keeps the shard hash stable.
  const distinctId = toStorableText(String(rawId));
  if (distinctId.trim().length === 0) return 'distinct_id is empty';
  if (distinctId.length > maxDistinctIdLength) return `distinct_id longer than ${maxDistinctIdLength} characters`;

  if (item.uuid !== undefined && item.uuid !== null && (typeof item.uuid !== 'string' || !uuidPattern.test(item.uuid))) return 'uuid is not a valid UUID';
  if (item.timestamp !== undefined && item.timestamp !== null && typeof item.timestamp !== 'string' && typeof item.timestamp !== 'number') return 'timestamp must be a string or a number';
  if (item.offset !== undefined && item.offset !== null && (typeof item.offset !== 'number' || !Number.isFinite(item.offset))) return 'offset must be a number of milliseconds';
  for (const key of ['$set', '$set_once'] as const) {
    if (item[key] !== undefined && item[key] !== null && !isObject(item[key])) return `${key} must be an object`;
  }
  if (nestsDeeperThan(properties, maxNestingDepth) || nestsDeeperThan(item.$set, maxNestingDepth) || nestsDeeperThan(item.$set_once, maxNestingDepth)) {
    return `properties are nested deeper than ${maxNestingDepth} levels`;
  }

  const accepted: AcceptedEvent = {
    uuid: typeof item.uuid === 'string' ? canonicalUuid(item.uuid) : uuidv7(),
    event,
    distinct_id: distinctId,
    properties,
  };
  if (item.timestamp !== undefined && item.timestamp !== null) accepted.timestamp = item.timestamp as string | number;
  if (typeof item.offset === 'number') accepted.offset = item.offset;
  if (isObject(item.$set)) accepted.$set = item.$set;
  if (isObject(item.$set_once)) accepted.$set_once = item.$set_once;
  return accepted;
}

function listEvents(payload: unknown): unknown[] {
  if (Array.isArray(payload)) return payload;
  if (isObject(payload)) {
    if (payload.batch !== undefined) {
      if (!Array.isArray(payload.batch)) throw invalidPayload('batch must be a list of events');
      return payload.batch;
    }
    if (payload.data !== undefined && isObject(payload.data)) return [payload.data];
    return [payload];
  }
  throw invalidPayload('payload must be an event object, a list of events, or {"batch": [...]}');
}

/** Splits a decoded payload into valid events and the indexes of invalid ones. */
export function extractEvents(payload: unknown, formApiKey: string | undefined, forcedName?: string): ExtractedCapture {
  const items = listEvents(payload);
  if (items.length === 0) throw invalidPayload('the batch has no events');
  const accepted: AcceptedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, index) => {
    const result = validateEvent(item, forcedName);
    if (typeof result === 'string') rejected.push({ index, reason: result });
    else accepted.push(result);
  });
  const body = isObject(payload) ? payload : {};
  const sentAt = body.sent_at ?? body.sentAt;
  return {
    token: findToken(payload, formApiKey),
    sentAt: typeof sentAt === 'string' || typeof sentAt === 'number' ? sentAt : undefined,
    accepted,
    rejected,
  };
}
