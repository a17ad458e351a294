/**
 * The text Postgres' `->>` gives for a JSON value, so a property compares the same on both
 * stores: strings as they are, other values as jsonb prints them (keys ordered by length, then
 * bytes; ", " and ": " between items).
 */
export function jsonbText(value: unknown): string {
  if (typeof value === 'string') return value;
  return jsonbValue(value);
}

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');
const byJsonbKeyOrder = (a: string, b: string) => utf8Length(a) - utf8Length(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));

function jsonbValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonbValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object).sort(byJsonbKeyOrder).map((key) => `${JSON.stringify(key)}: ${jsonbValue((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Top-level properties as parallel key and value arrays; a null value is left out (it reads as missing, as in Postgres). */
export function propertyArrays(properties: Record<string, unknown>): { prop_keys: string[]; prop_values: string[] } {
  const keys: string[] = [];
  const values: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    if (value === null || value === undefined) continue;
    keys.push(key);
    values.push(jsonbText(value));
  }
  return { prop_keys: keys, prop_values: values };
}
