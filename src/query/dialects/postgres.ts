import type { Interval } from '../insight-filter.ts';
import { numericOf } from '../filters/property-filter.ts';
import type { Dialect } from './dialect.ts';

const units: Record<Interval, string> = { minute: 'minute', hour: 'hour', day: 'day', week: 'week', month: 'month' };

export const postgres: Dialect = {
  localTime: (timestamp, tz) => `(${timestamp} AT TIME ZONE ${tz}::text)`,
  instant: (local, tz) => `(${local} AT TIME ZONE ${tz}::text)`,
  bucketStart(interval, local, weekStartDay) {
    // date_trunc's weeks start on Monday; a Sunday week is the Monday week of the next day, a day earlier.
    if (interval === 'week' && weekStartDay === 0) return `(date_trunc('week', ${local} + interval '1 day') - interval '1 day')`;
    return `date_trunc('${units[interval]}', ${local})`;
  },
  bucketKey: (local) => `to_char(${local}, 'YYYY-MM-DD HH24:MI:SS')`,
  step: (interval, count = 1) => `interval '${Math.trunc(count)} ${units[interval]}'`,
  jsonText: (column, key) => `(${column} ->> ${key})`,
  numeric: (text) => numericOf(text),
  percentile: (fraction, expression) => `percentile_cont(${Number(fraction)}) WITHIN GROUP (ORDER BY ${expression})`,
  secondsBetween: (later, earlier) => `extract(epoch FROM (${later} - ${earlier}))`,
};
