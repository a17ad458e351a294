import type { Queryable } from '../../src/db/pool.ts';

/** The event tables a query's plan reads (every "Relation Name" starting with events), from EXPLAIN (FORMAT JSON). */
export async function planRelations(db: Queryable, text: string, values: unknown[]): Promise<string[]> {
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
  const relations = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Relation Name' && typeof value === 'string' && value.startsWith('events')) relations.add(value);
        else walk(value);
      }
    }
  };
  walk(rows[0]!['QUERY PLAN']);
  return [...relations].sort();
}
