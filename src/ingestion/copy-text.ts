// COPY's text format: tab-separated columns, \N for NULL, and these four characters escaped.
const special = /[\\\t\n\r]/g;
// Without the g flag: test() on a global regex resumes from lastIndex and would skip fields.
const needsEscape = /[\\\t\n\r]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const unescapes: Record<string, string> = { '\\\\': '\\', '\\t': '\t', '\\n': '\n', '\\r': '\r' };

export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return needsEscape.test(value) ? value.replace(special, (char) => escapes[char]!) : value;
}

export function unescapeCopyField(value: string): string {
  return value.includes('\\') ? value.replace(/\\[\\tnr]/g, (pair) => unescapes[pair]!) : value;
}

export function copyLine(fields: Array<string | null>): string {
  return `${fields.map(copyField).join('\t')}\n`;
}
