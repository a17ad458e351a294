import type { ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import type { PoolClient } from '../db/pool.ts';
import { copyPersonsToClickHouse } from './copy-persons-to-clickhouse.ts';
import { addEventCounts } from '../rollups/event-counts.ts';
import { cutPathSessions, pathRegionsOf } from '../rollups/path-sessions.ts';
import { activityOf, addPersonActivity } from '../rollups/person-activity.ts';
import { addPropertyCounts } from '../rollups/property-counts.ts';
import { countEvents, countProperties } from './count-events.ts';
import { insertClickHouseEvents, sortClickHouseBatch } from './write-clickhouse-events.ts';
import { copyEvents, dropRepeatedEvents, dropStoredEvents } from './write-events.ts';
import { deleteBufferRows, readBatch } from './read-batch.ts';
import { loadPersons } from './load-persons.ts';
import { processPersons } from './process-persons.ts';
import { writeGroups } from './write-groups.ts';
import { writePersons } from './write-persons.ts';
import { recordPersonlessIds } from './write-personless.ts';

export interface BatchResult { bufferRows: number; events: number; written: number; personMerges: number }

/**
 * One unit of work, in one transaction: read buffer rows, resolve persons, store the events
 * (COPY into Postgres' events, event_counts, property_counts, person_activity and path_sessions,
 * or, when ClickHouse is the events store, one insert there with the changed persons), delete the
 * rows. A crash anywhere rolls it all back and the rows are read again.
 */
export async function processBatch(client: PoolClient, shards: number[], maxEvents: number, clickhouse?: ClickHouseStore): Promise<BatchResult> {
  await client.query('BEGIN');
  try {
    // Safe without waiting for the WAL flush: a commit lost in a database crash loses the event
    // writes and the buffer delete together, so the batch is simply processed again.
    await client.query('SET LOCAL synchronous_commit = off');
    const batch = await readBatch(client, shards, maxEvents);
    if (batch.bufferIds.length === 0) {
      await client.query('COMMIT');
      return { bufferRows: 0, events: 0, written: 0, personMerges: 0 };
    }
    const unique = dropRepeatedEvents(batch.events);
    const sorted = clickhouse ? await sortClickHouseBatch(clickhouse, unique) : undefined;
    const rows = sorted ? sorted.events : await dropStoredEvents(client, unique);
    const state = await loadPersons(client, rows);
    const groups = processPersons(state, rows);
    await recordPersonlessIds(client, state);
    await writePersons(client, state);
    await writeGroups(client, groups);
    if (clickhouse && sorted) {
      // Before the commit: a failure here leaves the rows in the buffer, and the retry's probe skips what got through.
      await insertClickHouseEvents(clickhouse, sorted.fresh);
      await copyPersonsToClickHouse(client, clickhouse, state);
    } else {
      await copyEvents(client, rows);
      await addEventCounts(client, countEvents(rows));
      await addPropertyCounts(client, countProperties(rows, Math.min(...shards)));
      await addPersonActivity(client, activityOf(rows));
      // Last: it waits on other workers' advisory locks, and must hold no lock they might want.
      await cutPathSessions(client, pathRegionsOf(rows));
    }
    await deleteBufferRows(client, batch.bufferIds);
    await client.query('COMMIT');
    return { bufferRows: batch.bufferIds.length, events: batch.events.length, written: sorted ? sorted.fresh.length : rows.length, personMerges: state.merges.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
