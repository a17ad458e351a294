/**
 * Storage options of the tables that take events all day: the events' leaves and the rollups
 * (migration 0018 sets them on those that exist then; new partitions get them when created).
 *
 * Index-only scans skip the heap only for pages the visibility map marks all-visible, which a
 * vacuum does. With the defaults a table is vacuumed after inserts of a fifth of its size: on
 * 1M events, person_activity had taken 40,000 new rows (100,000 events of a new project) with no
 * vacuum, and DAU read every one of that project's rows from the heap. At a hundredth, the
 * newest days, which dashboards read most, are marked within minutes. Analyze follows, so a new
 * project's rows are estimated from its own statistics.
 */
export const liveTableOptions = 'autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02';
