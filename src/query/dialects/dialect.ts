import type { Interval } from '../insight-filter.ts';

/**
 * What differs between the stores' SQL. Insight modules build their queries from these and
 * from portable SQL only, so another store (ClickHouse) needs a new dialect, not new insights.
 * Every argument is already SQL text (a column, an expression or a placeholder).
 */
export interface Dialect {
  /** Wall-clock time of a UTC timestamp in the time zone `tz`. */
  localTime(timestamp: string, tz: string): string;
  /** The instant of a wall-clock time in `tz`. */
  instant(local: string, tz: string): string;
  /** Start of the interval holding a wall-clock time; weeks start on Sunday (0) or Monday (1). */
  bucketStart(interval: Interval, local: string, weekStartDay: 0 | 1): string;
  /** A wall-clock time as 'YYYY-MM-DD HH:MM:SS' text, the key results are aligned on. */
  bucketKey(local: string): string;
  /** One step of an interval, as an interval value. */
  step(interval: Interval, count?: number): string;
  /** A JSON property of a JSON column as text (NULL when missing or null). */
  jsonText(column: string, key: string): string;
  /** The numeric value of text that looks like a number, else NULL. */
  numeric(text: string): string;
  /** Continuous percentile (0..1) of a numeric expression, as an aggregate. */
  percentile(fraction: number, expression: string): string;
  /** Seconds between two timestamps. */
  secondsBetween(later: string, earlier: string): string;
}
