import { createHash } from 'node:crypto';
import { weekLabel } from './weeks.ts';

// Names are built from a generation prefix (`events_g3`) so a conversion can create its tables
// beside the live ones; they only ever hold [a-z0-9_] and stay under Postgres' 63 bytes.
const maxSlugLength = 24;

export function generationPrefix(generation: number): string {
  return `events_g${generation}`;
}

export function retiredTableName(generation: number): string {
  return `events_retired_g${generation}`;
}

/**
 * The partition of one event: a readable slug of the name plus a hash of the full name, so
 * `$pageview`, `Page View` and 300-byte unicode names all get distinct, valid names.
 */
export function eventBranchName(prefix: string, event: string): string {
  const slug = event.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, maxSlugLength) || 'event';
  const hash = createHash('sha1').update(event).digest('hex').slice(0, 8);
  return `${prefix}_e_${slug}_${hash}`;
}

export function otherEventsBranchName(prefix: string): string {
  return `${prefix}_other`;
}

export function weekTableName(base: string, week: Date): string {
  return `${base}_w${weekLabel(week)}`;
}

export function defaultWeekTableName(base: string): string {
  return `${base}_wdefault`;
}

/** The Monday a weekly partition starts, read back from its name; null for any other table. */
export function weekOfTableName(name: string): Date | null {
  const match = /_w(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`) : null;
}
