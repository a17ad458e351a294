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

/** JSON text of `value` that Postgres' jsonb accepts. Cheap unless something needs cleaning. */
export function toStorableJson(value: Json): string {
  const text = JSON.stringify(value);
  return suspiciousEscape.test(text) ? JSON.stringify(cleanValue(value)) : text;
}

/** Text that Postgres' text type accepts. */
export function toStorableText(value: string): string {
  return cleanString(value);
}
