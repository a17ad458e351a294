import { clickHouseLiteral, clickHouseString } from './clickhouse-literal.ts';
import { deleteAndWait } from './clickhouse-mutations.ts';
import { rebuildPersonActivity } from './person-activity.ts';
import { clickHouseTable, localActivityTableName, localEventsTableName, type ClickHouseStore } from './clickhouse-store.ts';

export interface PersonToDelete { projectId: number; uuids: string[]; distinctIds: string[]; keepEvents: boolean }

/**
 * A person's rows on every node: their persons, overrides and cohort rows and, unless `keepEvents`,
 * every event sent under one of their distinct ids or person ids (the same events the
 * Postgres delete removes). Returns how many events went.
 */
export async function deletePersonFromClickHouse(store: ClickHouseStore, person: PersonToDelete): Promise<number> {
  const project = `project_id = ${clickHouseLiteral(person.projectId)}`;
  const uuids = person.uuids.map((uuid) => clickHouseLiteral(uuid)).join(', ');
  const ids = person.distinctIds.map((id) => clickHouseLiteral(id)).join(', ');
  const deleted = await Promise.all(store.nodes.map(async (node) => {
    let events = 0;
    if (!person.keepEvents) {
      const who = [ids ? `distinct_id IN (${ids})` : '', uuids ? `toString(person_id) IN (${uuids})` : ''].filter(Boolean).join(' OR ');
      if (who) {
        const table = localEventsTableName(store);
        const [counted] = await node.query<{ n: string; persons: string[] }>(`SELECT uniqExact(uuid) AS n, groupUniqArray(toString(person_id)) AS persons
          FROM ${clickHouseTable(store, table)} WHERE ${project} AND (${who})`);
        events = Number(counted?.n ?? 0);
        await deleteAndWait(node, store, table, `${project} AND (${who})`);
        // The activity of the person ids those events carried is made again from what is left of them.
        const persons = counted?.persons ?? [];
        if (persons.length > 0) {
          const carried = `${project} AND toString(person_id) IN (${persons.map((id) => clickHouseLiteral(id)).join(', ')})`;
          await rebuildPersonActivity(node, store, carried, carried);
        }
      }
    }
    if (uuids) {
      await deleteAndWait(node, store, 'persons', `${project} AND toString(id) IN (${uuids})`);
      await deleteAndWait(node, store, 'cohort_people', `${project} AND toString(person_id) IN (${uuids})`);
      await deleteAndWait(node, store, 'person_overrides', `${project} AND (toString(old_person_id) IN (${uuids}) OR toString(override_person_id) IN (${uuids}))`);
    }
    return events;
  }));
  return deleted.reduce((sum, events) => sum + events, 0);
}

/**
 * Events before `cutoff` (one project's, or every project's) on every node: weeks wholly
 * before it go as whole partitions, the rest row by row.
 */
export async function deleteClickHouseEventsBefore(store: ClickHouseStore, cutoff: Date, projectId?: number): Promise<void> {
  const table = localEventsTableName(store);
  const before = `timestamp < ${clickHouseLiteral(cutoff)}`;
  await Promise.all(store.nodes.map(async (node) => {
    if (projectId === undefined) {
      // A partition is a Monday week (toMonday): it is wholly before the cutoff when the week after it starts by then.
      const weeks = await node.query<{ partition: string }>(`SELECT DISTINCT partition FROM system.parts
        WHERE database = ${clickHouseString(store.database)} AND table = ${clickHouseString(table)} AND active
          AND toDate(partition) + 7 <= toDate(${clickHouseLiteral(cutoff)})`);
      for (const week of weeks) {
        for (const weekly of [table, localActivityTableName(store)]) await node.command(`ALTER TABLE ${clickHouseTable(store, weekly)} DROP PARTITION ${clickHouseString(week.partition)}`);
      }
    }
    const project = projectId === undefined ? '' : `project_id = ${clickHouseLiteral(projectId)} AND `;
    const [left] = await node.query<{ n: string }>(`SELECT count() AS n FROM ${clickHouseTable(store, table)} WHERE ${project}${before}`);
    if (Number(left?.n ?? 0) > 0) await deleteAndWait(node, store, table, `${project}${before}`);
    // Activity goes by quarter hours: those before the cutoff's quarter go, and the quarter it
    // cuts through is made again from the events after it. A mutation rewrites whole parts, so
    // a pass that deleted no events and finds no older activity leaves it alone.
    const quarter = `toStartOfFifteenMinutes(${clickHouseLiteral(cutoff)})`;
    const [older] = await node.query<{ n: string }>(`SELECT count() AS n FROM ${clickHouseTable(store, localActivityTableName(store))} WHERE ${project}quarter < ${quarter}`);
    if (Number(left?.n ?? 0) > 0 || Number(older?.n ?? 0) > 0) {
      await rebuildPersonActivity(node, store, `${project}quarter <= ${quarter}`, `${project}timestamp >= ${quarter} AND timestamp < ${quarter} + 900`);
    }
  }));
}
