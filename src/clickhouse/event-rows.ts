import type { BufferedEvent } from '../ingestion/buffered-batch.ts';
import { unescapeCopyField } from '../ingestion/copy-text.ts';
import { personlessPersonId } from '../ingestion/personless-person-id.ts';
import { clickHouseDateTimeText } from './clickhouse-literal.ts';
import { propertyArrays } from './property-arrays.ts';

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
  elements_chain: string;
}

/**
 * A buffered event as a row of ClickHouse's `events`. DateTime holds seconds, so the
 * milliseconds go in a column of their own; an event without a person profile carries the
 * person id Postgres' queries give it (see personless-person-id.ts).
 */
export function clickHouseEventRow(event: BufferedEvent): ClickHouseEventRow {
  const [, , propertiesJson, elementsChain] = event.copyFields;
  const properties = JSON.parse(unescapeCopyField(propertiesJson)) as Record<string, unknown>;
  return {
    project_id: event.projectId,
    uuid: event.uuid,
    event: event.event,
    distinct_id: event.distinctId,
    person_id: event.personId ?? personlessPersonId(event.distinctId),
    timestamp: clickHouseDateTimeText(event.timestamp),
    timestamp_ms: event.timestamp.getUTCMilliseconds(),
    ...propertyArrays(properties),
    elements_chain: elementsChain === '\\N' ? '' : unescapeCopyField(elementsChain),
  };
}
