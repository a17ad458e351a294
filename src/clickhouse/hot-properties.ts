import { createHash } from 'node:crypto';
import { clickHouseString } from './clickhouse-literal.ts';

/** Properties read by most insights: columns of their own on ClickHouse from the first migration. */
export const hotProperties = ['$current_url', '$pathname', '$browser', '$os', '$device_type', '$session_id', '$host', '$referring_domain'];

/**
 * The column of a materialized property: readable, and unique per key (two keys that clean up
 * to the same name differ in the hash).
 */
export function materializedColumn(key: string): string {
  const cleaned = key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40).toLowerCase();
  const hash = createHash('sha1').update(key, 'utf8').digest('hex').slice(0, 6);
  return `mat_${cleaned || 'p'}_${hash}`;
}

/** A property's text from the key/value arrays events carry (NULL when the key is missing or its value was null). */
export function propertyFromArrays(keys: string, values: string, key: string): string {
  const literal = clickHouseString(key);
  return `if(has(${keys}, ${literal}), ${values}[indexOf(${keys}, ${literal})], NULL)`;
}

/**
 * DEFAULT, not MATERIALIZED: a Distributed table forwards every column of an insert, and a shard
 * refuses a value for a MATERIALIZED column. With DEFAULT the value is computed once, when the
 * row is inserted, and parts written before the column existed compute it when read.
 */
export function materializedColumnDefinition(key: string): string {
  return `\`${materializedColumn(key)}\` Nullable(String) DEFAULT ${propertyFromArrays('prop_keys', 'prop_values', key)}`;
}
