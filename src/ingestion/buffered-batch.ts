/**
 * What a person-affecting event asks for, extracted by the web tier so the worker never has
 * to parse an event's properties.
 */
export interface PersonOps {
  set?: Record<string, unknown>;
  setOnce?: Record<string, unknown>;
  unset?: string[];
  /** `$anon_distinct_id` of an `$identify`. */
  anonDistinctId?: string;
  /** `alias` of a `$create_alias`. */
  alias?: string;
  group?: { type: string; key: string; set: Record<string, unknown> };
  /** posthog-js `$process_person_profile: false`: touches no person. */
  personless?: true;
}

/**
 * One event in the buffer: fields already escaped for COPY's text format, so the worker
 * only adds project and person ids.
 */
export interface BufferedEvent {
  uuid: string;
  projectId: number;
  /** The ingestion_buffer row it came in: ClickHouse keeps it, to tell a retried batch from a client's resend. */
  bufferId: number;
  event: string;
  distinctId: string;
  timestamp: Date;
  ops: PersonOps | undefined;
  /** The counted properties (see property_counts) the event has set. */
  countedProperties: Record<string, unknown>;
  /** COPY-escaped event, distinct id, properties JSON, elements chain; ISO timestamp. */
  copyFields: [string, string, string, string, string];
  personId: string | null;
}
