import { runQuery, type Connection, type Queryable } from '../db/pool.ts';
import { quoteIdentifier } from '../db/quote-identifier.ts';
import { eventColumns } from './event-table-ddl.ts';
import { withShortLock } from './lock-retry.ts';

// While a conversion copies rows, these triggers on the live table record every insert and
// delete in event_conversion_changes (functions in migration 0003); the conversion replays them
// onto the new table. Statement-level with transition tables: one extra INSERT per COPY.
const captureTriggers = [
  'CREATE TRIGGER sounder_conversion_inserts AFTER INSERT ON events REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION sounder_capture_event_inserts()',
  'CREATE TRIGGER sounder_conversion_deletes AFTER DELETE ON events REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION sounder_capture_event_deletes()',
  'CREATE TRIGGER sounder_conversion_rewrites BEFORE UPDATE OR TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION sounder_refuse_event_rewrites()',
];
const triggerNames = ['sounder_conversion_inserts', 'sounder_conversion_deletes', 'sounder_conversion_rewrites'];

/**
 * Installs the triggers. The SHARE ROW EXCLUSIVE lock waits for inserts in flight, so every row
 * committed later is captured, and every row committed earlier is seen by the copy's snapshot,
 * taken after this commits. Returns how long the lock was held, in ms.
 */
export async function installChangeCapture(db: Connection): Promise<number> {
  const result = await withShortLock(db, { tag: 'partition.capture_changes', timeoutMs: 1000, attempts: 60, tables: ['events'], mode: 'SHARE ROW EXCLUSIVE' }, async () => {
    await runQuery(db, 'partition.capture_changes', 'TRUNCATE event_conversion_changes');
    for (const statement of captureTriggers) await runQuery(db, 'partition.capture_changes', statement);
  });
  return result.holdMs;
}

/** Drops the triggers (inside the caller's transaction when there is one). */
export async function dropChangeCaptureTriggers(db: Queryable): Promise<void> {
  for (const name of triggerNames) await runQuery(db, 'partition.drop_capture', `DROP TRIGGER IF EXISTS ${quoteIdentifier(name)} ON events`);
}

export async function removeChangeCapture(db: Connection): Promise<void> {
  await withShortLock(db, { tag: 'partition.drop_capture', timeoutMs: 1000, attempts: 60, tables: ['events'], mode: 'SHARE ROW EXCLUSIVE' },
    () => dropChangeCaptureTriggers(db));
  await runQuery(db, 'partition.drop_capture', 'TRUNCATE event_conversion_changes');
}

export async function countCapturedChanges(db: Queryable): Promise<number> {
  const { rows } = await runQuery<{ n: number }>(db, 'partition.count_changes', 'SELECT count(*)::bigint AS n FROM event_conversion_changes');
  return rows[0]!.n;
}

/**
 * Replays up to `limit` of the oldest captured changes onto `table` and forgets them. Per row
 * identity (project, uuid, timestamp, event) only the latest change counts: an insert becomes an
 * upsert (the copy may already hold the row), a delete removes it. Returns changes replayed.
 */
export async function replayCapturedChanges(db: Queryable, table: string, limit: number): Promise<number> {
  const target = quoteIdentifier(table);
  const { rows } = await runQuery<{ n: number }>(db, 'partition.replay_changes',
    `WITH changes AS (
       DELETE FROM event_conversion_changes WHERE seq IN (SELECT seq FROM event_conversion_changes ORDER BY seq LIMIT $1)
       RETURNING seq, op, ${eventColumns}),
     latest AS (
       SELECT DISTINCT ON (project_id, uuid, timestamp, event) * FROM changes ORDER BY project_id, uuid, timestamp, event, seq DESC),
     deleted AS (
       DELETE FROM ${target} t USING latest l
       WHERE l.op = 'd' AND t.project_id = l.project_id AND t.uuid = l.uuid AND t.timestamp = l.timestamp AND t.event = l.event),
     inserted AS (
       INSERT INTO ${target} (${eventColumns}) SELECT ${eventColumns} FROM latest WHERE op = 'i'
       ON CONFLICT (project_id, uuid, timestamp, event) DO UPDATE SET distinct_id = excluded.distinct_id, person_id = excluded.person_id,
         properties = excluded.properties, elements_chain = excluded.elements_chain, created_at = excluded.created_at)
     SELECT count(*)::bigint AS n FROM changes`, [limit]);
  return rows[0]!.n;
}
