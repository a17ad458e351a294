import type { Interval } from '../insight-filter.ts';

/** The wall-clock start `steps` intervals after (or before) `key`, as naive seconds: local times step as Postgres' timestamp arithmetic does (calendar months differ in length). */
export function stepWallClock(key: string, interval: Interval, steps: number): number {
  const date = new Date(`${key.replace(' ', 'T')}Z`);
  if (interval === 'month') date.setUTCMonth(date.getUTCMonth() + steps);
  else date.setTime(date.getTime() + { minute: 60, hour: 3600, day: 86_400, week: 604_800 }[interval] * 1000 * steps);
  return date.getTime() / 1000;
}

/** A wall-clock key of naive seconds. */
export function wallClockKey(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
