/** Prints rows as an aligned text table. */
export function printTable<Row extends object>(rows: Row[], columns: Array<keyof Row & string>): void {
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column as keyof Row] ?? '').length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((column) => String(row[column as keyof Row] ?? ''))));
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value));
}
