/**
 * The single way a dynamic identifier (a database or partition name) enters SQL text.
 * Same rule as Postgres' quote_ident: wrap in double quotes and double any inside.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes('\0')) {
    throw new Error(`invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}
