// COPY's text format: tab-separated columns, \N for NULL, and these four characters escaped.
const special = /[\\\t\n\r]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return special.test(value) ? value.replace(special, (char) => escapes[char]!) : value;
}

export function copyLine(fields: Array<string | null>): string {
  return `${fields.map(copyField).join('\t')}\n`;
}
