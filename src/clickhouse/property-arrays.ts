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
  const { prop_keys, prop_values } = eventPropertyColumns(properties);
  return { prop_keys, prop_values };
}

/**
 * What the text of a value was in the JSON sent: with it, the arrays give back the properties
 * exactly as Postgres' jsonb would (a number stays a number, "5" stays a string).
 */
export const propertyType = { string: 0, number: 1, boolean: 2, json: 3 } as const;

export interface EventPropertyColumns { prop_keys: string[]; prop_values: string[]; prop_types: number[]; prop_null_keys: string[] }

/** An event's properties as the arrays filters read, plus each value's type and the keys sent as null, so they read back whole. */
export function eventPropertyColumns(properties: Record<string, unknown>): EventPropertyColumns {
  const columns: EventPropertyColumns = { prop_keys: [], prop_values: [], prop_types: [], prop_null_keys: [] };
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    if (value === null) {
      columns.prop_null_keys.push(key);
      continue;
    }
    columns.prop_keys.push(key);
    columns.prop_values.push(jsonbText(value));
    columns.prop_types.push(typeof value === 'string' ? propertyType.string : typeof value === 'number' ? propertyType.number
      : typeof value === 'boolean' ? propertyType.boolean : propertyType.json);
  }
  return columns;
}

/**
 * The properties an event was stored with, from its arrays. A row written before value types
 * were kept (an empty prop_types) reads every value as text.
 */
export function propertiesFromColumns(columns: EventPropertyColumns): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  columns.prop_keys.forEach((key, index) => {
    const text = columns.prop_values[index]!;
    const type = Number(columns.prop_types[index] ?? propertyType.string);
    properties[key] = type === propertyType.string ? text : JSON.parse(text);
  });
  for (const key of columns.prop_null_keys) properties[key] = null;
  return properties;
}
