/**
 * The one way a value enters DuckDB SQL text: the target path of COPY ... TO, which DuckDB
 * takes only as a literal. DuckDB strings treat backslashes literally, so doubling quotes is
 * the whole escape.
 */
export function duckdbLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a DuckDB literal cannot contain a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}
