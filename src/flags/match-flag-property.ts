import type { FlagOperator, FlagPropertyCondition } from './flag-definition.ts';

export type PropertyValues = Record<string, unknown>;

// Operators that still compare when the stored value is JSON null (as its text "null").
const nullComparable = new Set<FlagOperator>(['exact', 'is_not', 'icontains', 'not_icontains', 'regex', 'not_regex']);

/**
 * Whether one release-condition property matches a person's (or group's) properties.
 *
 * Semantics follow what posthog-node and posthog-js decide when they evaluate locally, so the
 * server never contradicts an SDK: string comparisons ignore case, "true"/"false" compare as
 * booleans, numbers stored as strings compare as numbers, dates may be relative ("-7d"). Where
 * an SDK cannot decide (the property is missing), it asks the server, which answers: a missing
 * property matches only `is_not_set`.
 */
export function matchFlagProperty(property: FlagPropertyCondition, values: PropertyValues, now = new Date()): boolean {
  const { operator, value } = property;
  const present = Object.hasOwn(values, property.key);
  if (operator === 'is_not_set') return !present;
  if (!present) return false;
  if (operator === 'is_set') return true;
  const actual = values[property.key];
  if (actual === undefined) return false;
  if (actual === null && !nullComparable.has(operator)) return false;
  switch (operator) {
    case 'exact': return exactMatches(value, actual);
    case 'is_not': return !exactMatches(value, actual);
    case 'icontains': return asciiLower(actual).includes(asciiLower(value));
    case 'not_icontains': return !asciiLower(actual).includes(asciiLower(value));
    case 'regex': return regexMatches(String(value), String(actual)) === true;
    case 'not_regex': return regexMatches(String(value), String(actual)) === false;
    case 'gt': case 'gte': case 'lt': case 'lte': return compareOrdered(operator, actual, value);
    case 'is_date_after': case 'is_date_before': return compareDates(operator, actual, value, now);
  }
}

function isBooleanLike(value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  if (typeof value === 'string') return value.toLowerCase() === 'true' || value.toLowerCase() === 'false';
  return Array.isArray(value) && value.every(isBooleanLike);
}

function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  return Array.isArray(value) && value.every(isTruthy);
}

/** A value's text for equality: strings as they are, everything else as canonical JSON (object keys sorted). */
function exactText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(exactText).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${exactText((value as PropertyValues)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return String(value);
}

function exactMatches(target: unknown, actual: unknown): boolean {
  if (isBooleanLike(target) || (Array.isArray(target) && target.length === 0)) return isTruthy(target) === isTruthy(actual);
  const actualText = exactText(actual).toLowerCase();
  const targets = Array.isArray(target) ? target : [target];
  return targets.some((item) => exactText(item).toLowerCase() === actualText);
}

// Only A-Z: the SDKs lower-case ASCII alone for contains, so "İ" stays "İ" on both sides.
function asciiLower(value: unknown): string {
  return String(value).replace(/[A-Z]/g, (char) => char.toLowerCase());
}

// Patterns come from flag definitions, so there are few; each is compiled once, not per request.
const compiled = new Map<string, RegExp | null>();
const maxCompiled = 1000;

function compile(pattern: string): RegExp | null {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern);
    } catch {
      regex = null;
    }
    if (compiled.size >= maxCompiled) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/** True or false for a valid pattern; undefined for one that does not compile (neither regex nor not_regex matches). */
function regexMatches(pattern: string, text: string): boolean | undefined {
  if (pattern === '') return true;
  return compile(pattern)?.test(text);
}

function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : parseFloat(String(value));
}

function compareOrdered(operator: 'gt' | 'gte' | 'lt' | 'lte', actual: unknown, target: unknown): boolean {
  const left = asNumber(actual);
  const right = asNumber(target);
  if (Number.isFinite(left) && Number.isFinite(right)) return ordered(operator, left, right);
  return ordered(operator, String(actual), String(target));
}

function ordered<T extends number | string>(operator: 'gt' | 'gte' | 'lt' | 'lte', left: T, right: T): boolean {
  switch (operator) {
    case 'gt': return left > right;
    case 'gte': return left >= right;
    case 'lt': return left < right;
    case 'lte': return left <= right;
  }
}

function toDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.valueOf()) ? undefined : date;
}

function compareDates(operator: 'is_date_after' | 'is_date_before', actual: unknown, target: unknown, now: Date): boolean {
  if (typeof target === 'boolean') return false;
  const bound = relativeDate(String(target), now) ?? toDate(target);
  const date = toDate(actual);
  if (!bound || !date) return false;
  return operator === 'is_date_before' ? date < bound : date > bound;
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * "-7d", "24h", "2w", "3m", "1y": that long before now (the sign is optional). Going back months
 * clamps the day to the shortest month passed over, as the SDKs do.
 */
export function relativeDate(text: string, now: Date): Date | undefined {
  const match = /^-?([0-9]+)([a-z])$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (amount >= 10_000) return undefined;
  const date = new Date(now.getTime());
  switch (match[2]) {
    case 'h': date.setUTCHours(date.getUTCHours() - amount); return date;
    case 'd': date.setUTCDate(date.getUTCDate() - amount); return date;
    case 'w': date.setUTCDate(date.getUTCDate() - 7 * amount); return date;
    case 'm': {
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      let day = date.getUTCDate();
      for (let step = 1; step <= amount && day > 28; step++) day = Math.min(day, lastDayOfMonth(year, month - step));
      date.setUTCFullYear(year, month - amount, day);
      return date;
    }
    case 'y': {
      const month = date.getUTCMonth();
      const day = amount > 0 && month === 1 && date.getUTCDate() === 29 ? 28 : date.getUTCDate();
      date.setUTCFullYear(date.getUTCFullYear() - amount, month, day);
      return date;
    }
    default: return undefined;
  }
}
