import type { BufferedEvent } from '../ingestion/buffered-batch.ts';
import { unescapeCopyField } from '../ingestion/copy-text.ts';
import { personlessPersonId } from '../ingestion/personless-person-id.ts';
import { clickHouseDateTimeText } from './clickhouse-literal.ts';
import { eventPropertyColumns } from './property-arrays.ts';

export interface ClickHouseEventRow {
  project_id: number;
  uuid: string;
  event: string;
  distinct_id: string;
  person_id: string;
  timestamp: string;
  timestamp_ms: number;
  prop_keys: string[];
  prop_values: string[];
  prop_types: number[];
  prop_null_keys: string[];
  elements_chain: string;
  buffer_id: number;
}

/** An event as Postgres holds it, whether read from the buffer or from `events`. */
export interface EventFields {
  projectId: number;
  uuid: string;
  event: string;
  distinctId: string;
  personId: string | null;
  timestamp: Date;
  properties: Record<string, unknown>;
  elementsChain: string | null;
  /** The ingestion_buffer row the event came in; 0 for one copied from Postgres. */
  bufferId?: number;
}

/**
 * An event as a row of ClickHouse's `events`. DateTime holds seconds, so the milliseconds go
 * in a column of their own; an event without a person profile carries the person id Postgres'
 * queries give it (see personless-person-id.ts).
 */
export function clickHouseEventRowOf(fields: EventFields): ClickHouseEventRow {
  return {
    project_id: fields.projectId,
    uuid: fields.uuid,
    event: fields.event,
    distinct_id: fields.distinctId,
    person_id: fields.personId ?? personlessPersonId(fields.distinctId),
    timestamp: clickHouseDateTimeText(fields.timestamp),
    timestamp_ms: fields.timestamp.getUTCMilliseconds(),
    ...eventPropertyColumns(fields.properties),
    elements_chain: fields.elementsChain ?? '',
    buffer_id: fields.bufferId ?? 0,
  };
}

/** A buffered event (its fields still escaped for COPY) as a ClickHouse row. */
export function clickHouseEventRow(event: BufferedEvent): ClickHouseEventRow {
  const [, , propertiesJson, elementsChain] = event.copyFields;
  return clickHouseEventRowOf({
    projectId: event.projectId, bufferId: event.bufferId, uuid: event.uuid, event: event.event, distinctId: event.distinctId, personId: event.personId, timestamp: event.timestamp,
    properties: JSON.parse(unescapeCopyField(propertiesJson)) as Record<string, unknown>,
    elementsChain: elementsChain === '\\N' ? null : unescapeCopyField(elementsChain),
  });
}
