import { buildElementsChain } from './elements-chain.ts';
import { computeEventTime } from './event-time.ts';
import type { PersonOps } from '../ingestion/buffered-batch.ts';
import type { AcceptedEvent } from './extract-events.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

// Times outside these bounds are client bugs (or beyond what timestamptz holds): use receive time.
const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31);

export interface RequestFacts {
  receivedAt: Date;
  sentAt: Date | undefined;
  ip: string | undefined;
  /** The project's "anonymize IPs": no $ip is stored, neither the request's nor one the SDK sent. */
  anonymizeIp?: boolean;
}

export interface NormalisedEvent {
  uuid: string;
  event: string;
  distinctId: string;
  properties: Json;
  elementsChain: string;
  timestamp: Date;
  ops: PersonOps | undefined;
}

function readOps(event: string, properties: Json): PersonOps | undefined {
  const ops: PersonOps = {};
  if (isObject(properties.$set)) ops.set = properties.$set;
  if (isObject(properties.$set_once)) ops.setOnce = properties.$set_once;
  const unset = properties.$unset;
  if (Array.isArray(unset)) ops.unset = unset.filter((key): key is string => typeof key === 'string');
  else if (isObject(unset)) ops.unset = Object.keys(unset);
  if (event === '$identify' && typeof properties.$anon_distinct_id === 'string') ops.anonDistinctId = properties.$anon_distinct_id;
  if (event === '$create_alias' && typeof properties.alias === 'string') ops.alias = properties.alias;
  if (event === '$groupidentify' && typeof properties.$group_type === 'string' && properties.$group_key !== undefined && properties.$group_key !== null) {
    ops.group = { type: properties.$group_type, key: String(properties.$group_key), set: isObject(properties.$group_set) ? properties.$group_set : {} };
  }
  if (properties.$process_person_profile === false) ops.personless = true;
  return Object.keys(ops).length > 0 ? ops : undefined;
}

/**
 * The stored shape of an event: clock-skew corrected time, top-level $set/$set_once folded
 * into properties (PostHog's layout), $elements turned into elements_chain, $ip stamped, and
 * the person operations it carries. Mutates the accepted event's properties (it owns them).
 */
export function normaliseEvent(input: AcceptedEvent, facts: RequestFacts): NormalisedEvent {
  const properties = input.properties;
  if (input.$set) properties.$set = { ...(isObject(properties.$set) ? properties.$set : {}), ...input.$set };
  if (input.$set_once) properties.$set_once = { ...(isObject(properties.$set_once) ? properties.$set_once : {}), ...input.$set_once };

  let elementsChain = '';
  if (typeof properties.$elements_chain === 'string') {
    elementsChain = properties.$elements_chain;
    delete properties.$elements_chain;
  } else if (properties.$elements !== undefined) {
    elementsChain = buildElementsChain(properties.$elements);
  }
  delete properties.$elements;

  if (facts.anonymizeIp) delete properties.$ip;
  else if (properties.$ip === undefined && facts.ip) properties.$ip = facts.ip;

  let timestamp = computeEventTime({
    timestamp: input.timestamp,
    offset: input.offset,
    now: facts.receivedAt,
    sentAt: facts.sentAt,
    ignoreSentAt: properties.$ignore_sent_at === true,
  });
  // Not `time < earliest || time > latest`: an offset of 1e308 gives an invalid date, whose NaN fails both.
  if (!(timestamp.getTime() >= earliest && timestamp.getTime() <= latest)) {
    properties.$ignored_timestamp = String(input.timestamp ?? input.offset);
    timestamp = facts.receivedAt;
  }
  return { uuid: input.uuid, event: input.event, distinctId: input.distinct_id, properties, elementsChain, timestamp, ops: readOps(input.event, properties) };
}
