import type { BufferedEvent, EventRow } from './buffered-batch.ts';
import { buildElementsChain } from './elements-chain.ts';
import { computeEventTime } from './event-time.ts';

type Json = Record<string, unknown>;

// Times outside these bounds are client bugs (or beyond what timestamptz holds): use receive time.
const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored shape of an event: clock-skew corrected time, top-level $set/$set_once folded
 * into properties (PostHog's layout), $elements turned into elements_chain, $ip stamped.
 */
export function normaliseEvent(input: BufferedEvent): EventRow {
  const properties: Json = { ...input.properties };
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

  if (properties.$ip === undefined && input.ip) properties.$ip = input.ip;

  let timestamp = computeEventTime({
    timestamp: input.timestamp,
    offset: input.offset,
    now: input.receivedAt,
    sentAt: input.sentAt,
    ignoreSentAt: properties.$ignore_sent_at === true,
  });
  if (timestamp.getTime() < earliest || timestamp.getTime() > latest) {
    properties.$ignored_timestamp = String(input.timestamp ?? input.offset);
    timestamp = input.receivedAt;
  }

  return {
    uuid: input.uuid,
    projectId: input.projectId,
    event: input.event,
    distinctId: input.distinct_id,
    personId: null,
    properties,
    elementsChain,
    timestamp,
  };
}
