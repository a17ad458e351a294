import type { AcceptedEvent } from '../capture/extract-events.ts';

/** One event read back from the buffer with the request facts stamped by the web tier. */
export interface BufferedEvent extends AcceptedEvent {
  projectId: number;
  receivedAt: Date;
  sentAt: Date | null;
  ip: string | null;
}

/** The row written to `events` (person_id filled by the persons step). */
export interface EventRow {
  uuid: string;
  projectId: number;
  event: string;
  distinctId: string;
  personId: string | null;
  properties: Record<string, unknown>;
  elementsChain: string;
  timestamp: Date;
}
