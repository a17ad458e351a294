import type { Interval } from '../insight-filter.ts';
import type { SqlParams } from '../sql-params.ts';
import { stepWallClock, wallClockKey } from './wall-clock.ts';

/**
 * SQL for the 1-based position, among consecutive periods (wall-clock keys in the time zone
 * `tz`, a placeholder), of the period an instant falls in; NULL outside them. The periods'
 * bounds become instants once per query (an uncorrelated subquery, run as an InitPlan), so
 * each row costs a binary search over them instead of a time zone conversion, a truncation
 * and a scan of the keys: retention and lifecycle place every activity row of every person.
 */
export function periodPosition(params: SqlParams, periods: string[], interval: Interval, tz: string): (timestamp: string) => string {
  const keys = [...periods, wallClockKey(stepWallClock(periods[periods.length - 1]!, interval, 1))];
  const bounds = `(SELECT array_agg(local AT TIME ZONE ${tz}::text ORDER BY local) FROM unnest(${params.add(keys)}::timestamp[]) local)`;
  const outside = params.add(keys.length);
  // width_bucket counts instants before the first bound as 0 and from the last on as the number of bounds.
  return (timestamp) => `nullif(nullif(width_bucket(${timestamp}, ${bounds}), 0), ${outside}::int)`;
}
