import type { NormalisedEvent } from '../capture/normalise-event.ts';
import type { BufferedEvent, PersonOps } from './buffered-batch.ts';
import { copyField, unescapeCopyField } from './copy-text.ts';
import { toStorableJson, toStorableText } from './sanitise-json.ts';

/*
 * A buffer row's `events` text holds one line per event, fields separated by tabs and escaped
 * as in COPY's text format: uuid, event, distinct id, properties JSON, elements chain,
 * timestamp, person operations JSON (empty when none). The worker copies the middle fields
 * straight into COPY without parsing the properties.
 */

export function encodeBufferLine(event: NormalisedEvent): string {
  return [
    event.uuid,
    copyField(event.event),
    copyField(event.distinctId),
    copyField(toStorableJson(event.properties)),
    copyField(toStorableText(event.elementsChain)),
    event.timestamp.toISOString(),
    event.ops ? copyField(JSON.stringify(event.ops)) : '',
  ].join('\t');
}

export function decodeBufferLines(text: string, projectId: number, bufferId = 0): BufferedEvent[] {
  const out: BufferedEvent[] = [];
  for (const line of text.split('\n')) {
    const [uuid, event, distinctId, properties, elementsChain, timestamp, ops] = line.split('\t') as [string, string, string, string, string, string, string];
    out.push({
      uuid,
      projectId,
      bufferId,
      event: unescapeCopyField(event),
      distinctId: unescapeCopyField(distinctId),
      timestamp: new Date(timestamp),
      ops: ops ? (JSON.parse(unescapeCopyField(ops)) as PersonOps) : undefined,
      copyFields: [event, distinctId, properties, elementsChain, timestamp],
      personId: null,
    });
  }
  return out;
}
