import { clickHouseLiteral, clickHouseString } from './clickhouse-literal.ts';
import type { ClickHouseConnection } from './clickhouse-connection.ts';
import { clickHouseTable, localEventsTableName, type ClickHouseStore } from './clickhouse-store.ts';

const mutationWaitMs = 120_000;

/**
 * Runs `ALTER TABLE ... DELETE WHERE` on one node and waits until the mutation has rewritten
 * every part: ClickHouse applies deletes in the background, and 18.16 cannot be asked to wait
 * (no mutations_sync), so the node's system.mutations is watched instead.
 */
export async function deleteAndWait(node: ClickHouseConnection, store: ClickHouseStore, table: string, condition: string): Promise<void> {
  await node.command(`ALTER TABLE ${clickHouseTable(store, table)} DELETE WHERE ${condition}`);
  const deadline = Date.now() + mutationWaitMs;
  for (;;) {
    const [pending] = await node.query<{ n: string }>(`SELECT count() AS n FROM system.mutations
      WHERE database = ${clickHouseString(store.database)} AND table = ${clickHouseString(table)} AND is_done = 0`);
    if (Number(pending?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`ClickHouse did not finish deleting from ${table} within ${mutationWaitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
        const [counted] = await node.query<{ n: string }>(`SELECT uniqExact(uuid) AS n FROM ${clickHouseTable(store, table)} WHERE ${project} AND (${who})`);
        events = Number(counted?.n ?? 0);
        await deleteAndWait(node, store, table, `${project} AND (${who})`);
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
      for (const week of weeks) await node.command(`ALTER TABLE ${clickHouseTable(store, table)} DROP PARTITION ${clickHouseString(week.partition)}`);
    }
    const scope = projectId === undefined ? before : `project_id = ${clickHouseLiteral(projectId)} AND ${before}`;
    const [left] = await node.query<{ n: string }>(`SELECT count() AS n FROM ${clickHouseTable(store, table)} WHERE ${scope}`);
    if (Number(left?.n ?? 0) > 0) await deleteAndWait(node, store, table, scope);
  }));
}
