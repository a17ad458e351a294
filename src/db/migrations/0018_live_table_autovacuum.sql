-- Vacuum and analyze the tables that take events all day after a hundredth of their rows
-- changed, not a fifth (src/db/live-table-options.ts says why; it holds the same options for
-- partitions made later). A partitioned table takes no storage options: its leaves do.
ALTER TABLE person_activity SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE event_counts SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE property_counts SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE path_sessions SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
DO $$
DECLARE leaf regclass;
BEGIN
  -- pg_partition_tree lists nothing for a plain table.
  FOR leaf IN SELECT oid FROM pg_class WHERE oid = 'events'::regclass AND relkind = 'r'
              UNION ALL SELECT relid FROM pg_partition_tree('events') WHERE isleaf LOOP
    EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)', leaf);
  END LOOP;
END $$;
