/**
 * The single way a value enters SQL text, for the one place Postgres takes no parameters:
 * partition bounds in DDL. Same output as Postgres' quote_literal: an E'' string (backslashes
 * doubled) when the value holds a backslash, so it reads the same whatever
 * standard_conforming_strings is set to.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL literal cannot contain a NUL character');
  const quoted = `'${value.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;
  return value.includes('\\') ? `E${quoted}` : quoted;
}
