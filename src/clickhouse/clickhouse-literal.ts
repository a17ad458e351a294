/**
 * The single way a value enters ClickHouse SQL text. ClickHouse 18.16 takes no query
 * parameters over HTTP, so every value an insight binds is printed here. Strings are quoted
 * with backslash escapes (ClickHouse reads `\'` and `\\` inside '...', in every version).
 */
export type ClickHouseValue = string | number | boolean | null | Date | ClickHouseValue[];

const escapes: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\0': '\\0', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

export function clickHouseString(value: string): string {
  return `'${value.replace(/[\\'\0\n\r\t\b\f]/g, (char) => escapes[char]!)}'`;
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC: the text form of a DateTime (seconds are its precision). */
export function clickHouseDateTimeText(date: Date): string {
  if (!Number.isFinite(date.getTime())) throw new Error('an invalid date cannot be a ClickHouse literal');
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function clickHouseLiteral(value: ClickHouseValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return clickHouseString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be a ClickHouse literal`);
    // Parenthesised so a negative number never forms an operator with what precedes it.
    return value < 0 ? `(${value})` : String(value);
  }
  if (value instanceof Date) return `toDateTime(${clickHouseString(clickHouseDateTimeText(value))}, 'UTC')`;
  if (Array.isArray(value)) return `[${value.map(clickHouseLiteral).join(', ')}]`;
  throw new Error(`a ${typeof value} cannot be a ClickHouse literal`);
}

/** Identifiers (database names) are not user input, but go through one quoting function all the same. */
export function clickHouseIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${JSON.stringify(name)} is not a plain ClickHouse identifier`);
  return `\`${name}\``;
}
