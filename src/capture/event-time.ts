/**
 * A client-supplied time: digit strings or numbers longer than 11 digits are milliseconds,
 * shorter ones seconds; anything else is read as ISO 8601. Undefined when unreadable.
 */
export function parseClientTime(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
    const text = String(value);
    const integerDigits = text.split('.')[0]!.length;
    const number = Number(value);
    const date = new Date(integerDigits > 11 ? number : number * 1000);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface EventTimeInput {
  timestamp?: unknown;
  offset?: number;
  /** Server receive time. */
  now: Date;
  /** Client send time (query `_`, or body sent_at). */
  sentAt?: Date | null;
  ignoreSentAt?: boolean;
}

/**
 * PostHog's rule: with both timestamp and sent_at, the client's clock is corrected by their
 * difference (now + (timestamp - sent_at)); else timestamp; else now - offset; else now.
 */
export function computeEventTime({ timestamp, offset, now, sentAt, ignoreSentAt }: EventTimeInput): Date {
  const clientTime = parseClientTime(timestamp);
  if (clientTime) {
    if (sentAt && !ignoreSentAt) return new Date(now.getTime() + (clientTime.getTime() - sentAt.getTime()));
    return clientTime;
  }
  if (typeof offset === 'number' && Number.isFinite(offset)) return new Date(now.getTime() - offset);
  return now;
}
