/** A query string as single values: a repeated parameter counts by its first value. */
export function flatQuery(query: unknown): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    flat[key] = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  }
  return flat;
}
