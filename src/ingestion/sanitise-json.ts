type Json = Record<string, unknown>;

// jsonb rejects the NUL character and unpaired surrogates, which browsers happily send.
const suspiciousEscape = /\\u0000|\\ud[89a-f]/i;

function cleanString(value: string): string {
  return value.replace(/\0/g, '').toWellFormed();
}

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (Array.isArray(value)) return value.map(cleanValue);
  if (typeof value === 'object' && value !== null) {
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(out, cleanString(key), { value: cleanValue(inner), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** `value` as Postgres' jsonb accepts it, as JSON text and as the value that text holds (`value` itself unless something needed cleaning). */
export function toStorable(value: Json): { text: string; value: Json } {
  const text = JSON.stringify(value);
  if (!suspiciousEscape.test(text)) return { text, value };
  const cleaned = cleanValue(value) as Json;
  return { text: JSON.stringify(cleaned), value: cleaned };
}

/** JSON text of `value` that Postgres' jsonb accepts. Cheap unless something needs cleaning. */
export function toStorableJson(value: Json): string {
  return toStorable(value).text;
}

/** Text that Postgres' text type accepts. */
export function toStorableText(value: string): string {
  return cleanString(value);
}
