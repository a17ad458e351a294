import { clickHouseString } from './clickhouse-literal.ts';
import type { ClickHouseStore } from './clickhouse-store.ts';

const cacheMs = 60_000;
const cache = new WeakMap<ClickHouseStore, { keys: Set<string>; at: number }>();

// The key inside a column's DEFAULT expression, as hot-properties.ts prints it: has(prop_keys, '...').
const keyInExpression = /^if\(has\(prop_keys, '((?:[^'\\]|\\.)*)'\)/;

function unescapeString(text: string): string {
  const escapes: Record<string, string> = { '0': '\0', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  return text.replace(/\\(.)/g, (_, char: string) => escapes[char] ?? char);
}

/**
 * The property keys that have a column of their own on the events table, read from the
 * columns' DEFAULT expressions (so a column added by `sounder clickhouse materialize` on
 * another process is seen within a minute).
 */
export async function materializedKeys(store: ClickHouseStore): Promise<Set<string>> {
  const cached = cache.get(store);
  if (cached && Date.now() - cached.at < cacheMs) return cached.keys;
  const rows = await store.primary.query<{ default_expression: string }>(`SELECT default_expression FROM system.columns
    WHERE database = ${clickHouseString(store.database)} AND table = 'events' AND name LIKE 'mat\\\\_%'`);
  const keys = new Set(rows.map((row) => keyInExpression.exec(row.default_expression)?.[1]).filter((key): key is string => key !== undefined).map(unescapeString));
  cache.set(store, { keys, at: Date.now() });
  return keys;
}

export function forgetMaterializedKeys(store: ClickHouseStore): void {
  cache.delete(store);
}
