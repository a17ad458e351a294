/**
 * How `events` is laid out. `weekly` with no events: range-partitioned per week. With events:
 * list-partitioned by event (one partition per named event, one for all others), each of them
 * range-partitioned per week.
 */
export type EventLayout = { kind: 'plain' } | { kind: 'weekly'; events: string[] };

export const plainLayout: EventLayout = { kind: 'plain' };

// Longer names are accepted by capture; a partition per such name is not a sensible layout.
const maxEventNameLength = 1000;

/** Validates the `--element` values: non-empty strings, each once. */
export function weeklyLayout(events: unknown[]): EventLayout {
  const seen = new Set<string>();
  for (const [index, event] of events.entries()) {
    if (typeof event !== 'string') throw new Error(`event #${index + 1} must be a string, got ${typeof event}`);
    if (event.trim() === '') throw new Error(`event #${index + 1} is empty`);
    if (event.includes('\0')) throw new Error(`event ${JSON.stringify(event)} contains a NUL character`);
    if (event.length > maxEventNameLength) throw new Error(`event #${index + 1} is longer than ${maxEventNameLength} characters`);
    if (seen.has(event)) throw new Error(`event ${JSON.stringify(event)} is given twice`);
    seen.add(event);
  }
  return { kind: 'weekly', events: [...events as string[]] };
}

export function parseStoredLayout(value: unknown): EventLayout {
  const layout = value as EventLayout;
  if (layout?.kind === 'plain') return plainLayout;
  if (layout?.kind === 'weekly' && Array.isArray(layout.events)) return { kind: 'weekly', events: layout.events };
  throw new Error(`unreadable event layout ${JSON.stringify(value)}`);
}

export function sameLayout(a: EventLayout, b: EventLayout): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'plain' || b.kind === 'plain') return true;
  return a.events.length === b.events.length && a.events.every((event) => b.events.includes(event));
}

export function describeLayout(layout: EventLayout): string {
  if (layout.kind === 'plain') return 'one plain table';
  if (layout.events.length === 0) return 'weekly partitions';
  return `per event (${layout.events.map((event) => JSON.stringify(event)).join(', ')} and all others), then weekly`;
}
