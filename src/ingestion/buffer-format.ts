import type { NormalisedEvent } from '../capture/normalise-event.ts';
import type { BufferedEvent, PersonOps } from './buffered-batch.ts';
import { copyField, unescapeCopyField } from './copy-text.ts';
import { pickCountedProperties } from '../rollups/property-counts.ts';
import { toStorable, toStorableJson, toStorableText } from './sanitise-json.ts';

/*
 * A buffer row's `events` text holds one line per event, fields separated by tabs and escaped
 * as in COPY's text format: uuid, event, distinct id, properties JSON, elements chain,
 * timestamp, person operations JSON (empty when none), the counted properties' JSON (empty
 * when none is set; see property_counts). The worker copies the middle fields straight into
 * COPY without parsing the properties. Lines written before the last field existed have seven
 * fields, and the worker finds their counted properties in the properties themselves.
 */

export function encodeBufferLine(event: NormalisedEvent): string {
  // Counted from the properties as stored: cleaning can change strings and keys.
  const properties = toStorable(event.properties);
  const counted = pickCountedProperties(properties.value);
  return [
    event.uuid,
    copyField(event.event),
    copyField(event.distinctId),
    copyField(properties.text),
    copyField(toStorableText(event.elementsChain)),
    event.timestamp.toISOString(),
    event.ops ? copyField(JSON.stringify(event.ops)) : '',
    Object.keys(counted).length > 0 ? copyField(toStorableJson(counted)) : '',
  ].join('\t');
}

export function decodeBufferLines(text: string, projectId: number, bufferId = 0): BufferedEvent[] {
  const out: BufferedEvent[] = [];
  for (const line of text.split('\n')) {
    const [uuid, event, distinctId, properties, elementsChain, timestamp, ops, counted] = line.split('\t') as [string, string, string, string, string, string, string, string | undefined];
    out.push({
      uuid,
      projectId,
      bufferId,
      event: unescapeCopyField(event),
      distinctId: unescapeCopyField(distinctId),
      timestamp: new Date(timestamp),
      ops: ops ? (JSON.parse(unescapeCopyField(ops)) as PersonOps) : undefined,
      countedProperties: counted === undefined ? pickCountedProperties(JSON.parse(unescapeCopyField(properties)) as Record<string, unknown>)
        : counted ? (JSON.parse(unescapeCopyField(counted)) as Record<string, unknown>) : {},
      copyFields: [event, distinctId, properties, elementsChain, timestamp],
      personId: null,
    });
  }
  return out;
}
