import { runQuery, type Queryable } from '../../src/db/pool.ts';

/**
 * The tables that take events all day (the events' leaves and the rollups) lacking the live
 * tables' autovacuum options (src/db/live-table-options.ts), by name.
 */
export async function liveTablesWithoutOptions(db: Queryable): Promise<string[]> {
  const { rows } = await runQuery<{ name: string }>(db, 'test.live_table_options',
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.oid IN (SELECT relid FROM pg_partition_tree('events') WHERE isleaf
                     UNION ALL SELECT oid FROM pg_class WHERE oid = 'events'::regclass AND relkind = 'r'
                     UNION ALL SELECT unnest(ARRAY['person_activity', 'event_counts', 'property_counts', 'path_sessions']::regclass[]))
       AND NOT coalesce(c.reloptions @> ARRAY['autovacuum_vacuum_insert_scale_factor=0.01', 'autovacuum_analyze_scale_factor=0.02'], false)
     ORDER BY 1`);
  return rows.map((row) => row.name);
}
