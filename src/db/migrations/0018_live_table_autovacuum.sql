-- Vacuum and analyze the tables that take events all day after a hundredth of their rows
-- changed, not a fifth (src/db/live-table-options.ts says why; it holds the same options for
-- partitions made later). A partitioned table takes no storage options: its leaves do, and
-- pg_partition_tree lists nothing for a plain one. A regclass prints as a quoted name.
DO $$
DECLARE live regclass;
BEGIN
  FOR live IN SELECT unnest(ARRAY['person_activity', 'event_counts', 'property_counts', 'path_sessions']::regclass[])
              UNION ALL SELECT oid FROM pg_class WHERE oid = 'events'::regclass AND relkind = 'r'
              UNION ALL SELECT relid FROM pg_partition_tree('events') WHERE isleaf LOOP
    EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)', live);
  END LOOP;
END $$;
