import { runQuery, type Queryable } from '../db/pool.ts';

export interface EventTable {
  schema: string;
  table: string;
  parent: string | null;
  level: number;
  leaf: boolean;
  /** The planner's row estimate (0 before the first ANALYZE). */
  estimate: number;
  bytes: number;
  pages: number;
}

/**
 * `events` and, when partitioned, every table under it (parents before children). A plain
 * table is its own single leaf: pg_partition_tree returns nothing for it.
 */
export async function listEventTables(db: Queryable): Promise<EventTable[]> {
  const { rows } = await runQuery<EventTable>(db, 'partition.event_tables',
    `WITH tree AS (
       SELECT relid, parentrelid, isleaf, level FROM pg_partition_tree('events')
       UNION ALL
       SELECT 'events'::regclass, NULL, true, 0 WHERE (SELECT relkind FROM pg_class WHERE oid = 'events'::regclass) = 'r')
     SELECT n.nspname AS schema, c.relname AS table, p.relname AS parent, t.level, t.isleaf AS leaf,
            greatest(c.reltuples, 0)::bigint AS estimate,
            (CASE WHEN t.isleaf THEN pg_total_relation_size(c.oid) ELSE 0 END)::bigint AS bytes,
            (CASE WHEN t.isleaf THEN pg_relation_size(c.oid) / current_setting('block_size')::int ELSE 0 END)::bigint AS pages
     FROM tree t JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class p ON p.oid = t.parentrelid
     ORDER BY t.level, c.relname`);
  return rows;
}
