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

/** How a query's plan reads each event table: "Seq Scan", "Index Only Scan", ... per relation, from EXPLAIN (FORMAT JSON). */
export async function planScans(db: Queryable, text: string, values: unknown[]): Promise<Array<{ relation: string; scan: string }>> {
  const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
  const scans: Array<{ relation: string; scan: string }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record['Relation Name'] === 'string' && record['Relation Name'].startsWith('events')) scans.push({ relation: record['Relation Name'], scan: String(record['Node Type']) });
      Object.values(record).forEach(walk);
    }
  };
  walk(rows[0]!['QUERY PLAN']);
  return scans;
}
