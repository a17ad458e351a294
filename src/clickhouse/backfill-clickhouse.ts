import pg from 'pg';
import { runQuery, type Queryable } from '../db/pool.ts';
import { addWeeks } from '../partition/weeks.ts';
import { clickHouseDateTimeText, clickHouseLiteral } from './clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from './clickhouse-store.ts';
import { copyCohortToClickHouse } from './cohort-members.ts';
import { clickHouseEventRowOf } from './event-rows.ts';
import { propertyArrays } from './property-arrays.ts';

const fetchRows = 20_000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export interface WeekCount { projectId: number; week: string; postgres: number; clickhouse: number }
export interface BackfillProgress { projectId: number; week: string; doneEvents: number; totalEvents: number }
export interface BackfillOptions { projectIds: number[]; since?: Date; onProgress?: (progress: BackfillProgress) => void }
export interface BackfillReport { copied: number; persons: number; overrides: number; cohorts: number; weeks: WeekCount[] }

/** Events per Monday week (UTC, as ClickHouse partitions them) of one project in Postgres. */
async function postgresWeeks(db: Queryable, projectId: number, since: Date | undefined): Promise<Array<{ week: Date; events: number }>> {
  const { rows } = await runQuery<{ week: Date; events: number }>(db, 'backfill.weeks',
    `SELECT date_trunc('week', timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS week, count(*)::int AS events FROM events
     WHERE project_id = $1 AND ($2::timestamptz IS NULL OR timestamp >= $2) GROUP BY 1 ORDER BY 1`, [projectId, since ?? null]);
  return rows;
}

async function clickHouseWeekUuids(store: ClickHouseStore, projectId: number, from: Date, to: Date): Promise<Set<string>> {
  const rows = await store.primary.query<{ uuid: string }>(`SELECT DISTINCT toString(uuid) AS uuid FROM ${clickHouseTable(store, 'events')}
    WHERE project_id = ${clickHouseLiteral(projectId)} AND timestamp >= ${clickHouseLiteral(from)} AND timestamp < ${clickHouseLiteral(to)}`);
  return new Set(rows.map((row) => row.uuid));
}

/** Distinct events per week of one project in ClickHouse (a copy stored twice before a merge counts once). */
async function clickHouseWeeks(store: ClickHouseStore, projectId: number): Promise<Map<string, number>> {
  const rows = await store.primary.query<{ week: string; events: string }>(`SELECT toString(toMonday(timestamp)) AS week, uniqExact(uuid) AS events
    FROM ${clickHouseTable(store, 'events')} WHERE project_id = ${clickHouseLiteral(projectId)} GROUP BY week`);
  return new Map(rows.map((row) => [row.week, Number(row.events)]));
}

/**
 * Copies one week of one project's events that ClickHouse lacks, read through a cursor in one
 * snapshot and inserted 20,000 rows at a time. What ClickHouse has is read first, so a run
 * stopped half way, or events the workers wrote to both stores meanwhile, are not copied twice.
 */
async function copyWeek(url: string, store: ClickHouseStore, projectId: number, week: Date, onRows: (rows: number) => void): Promise<number> {
  const to = addWeeks(week, 1);
  const present = await clickHouseWeekUuids(store, projectId, week, to);
  const client = new pg.Client({ connectionString: url, application_name: 'sounder-backfill' });
  await client.connect();
  let copied = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await runQuery(client, 'backfill.declare_cursor',
      `DECLARE backfill_week NO SCROLL CURSOR FOR
       SELECT uuid::text, project_id, event, distinct_id, person_id::text, timestamp, properties, elements_chain
       FROM events WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3`, [projectId, week, to]);
    for (;;) {
      const { rows } = await client.query<{ uuid: string; project_id: number; event: string; distinct_id: string; person_id: string | null; timestamp: Date; properties: Record<string, unknown>; elements_chain: string | null }>(
        `FETCH ${fetchRows} FROM backfill_week`);
      const missing = rows.filter((row) => !present.has(row.uuid));
      await store.primary.insert(clickHouseTable(store, 'events'), missing.map((row) => clickHouseEventRowOf({
        projectId: row.project_id, uuid: row.uuid, event: row.event, distinctId: row.distinct_id, personId: row.person_id,
        timestamp: row.timestamp, properties: row.properties, elementsChain: row.elements_chain,
      })));
      copied += missing.length;
      onRows(rows.length);
      if (rows.length < fetchRows) break;
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return copied;
}

/**
 * Persons and overrides of a project that ClickHouse has no row for, at version 0: any copy a
 * worker writes (its transaction id as version) is newer and wins.
 */
async function copyMissingPersons(db: Queryable, store: ClickHouseStore, projectId: number): Promise<{ persons: number; overrides: number }> {
  const project = clickHouseLiteral(projectId);
  const knownPersons = new Set((await store.primary.query<{ id: string }>(`SELECT DISTINCT toString(id) AS id FROM ${clickHouseTable(store, 'persons')} WHERE project_id = ${project}`)).map((row) => row.id));
  const knownOverrides = new Set((await store.primary.query<{ id: string }>(`SELECT DISTINCT toString(old_person_id) AS id FROM ${clickHouseTable(store, 'person_overrides')} WHERE project_id = ${project}`)).map((row) => row.id));
  const { rows: persons } = await runQuery<{ uuid: string; properties: Record<string, unknown>; created_at: Date }>(db, 'backfill.persons',
    'SELECT uuid::text, properties, created_at FROM persons WHERE project_id = $1', [projectId]);
  const { rows: overrides } = await runQuery<{ old_person_uuid: string; override_person_uuid: string }>(db, 'backfill.overrides',
    'SELECT old_person_uuid::text, override_person_uuid::text FROM person_overrides WHERE project_id = $1', [projectId]);
  const personRows = persons.filter((person) => !knownPersons.has(person.uuid)).map((person) => ({
    project_id: projectId, id: person.uuid, ...propertyArrays(person.properties), created_at: clickHouseDateTimeText(person.created_at), is_deleted: 0, version: 0,
  }));
  const overrideRows = overrides.filter((row) => !knownOverrides.has(row.old_person_uuid))
    .map((row) => ({ project_id: projectId, old_person_id: row.old_person_uuid, override_person_id: row.override_person_uuid, version: 0 }));
  for (const node of store.nodes) {
    for (let start = 0; start < personRows.length; start += fetchRows) await node.insert(clickHouseTable(store, 'persons'), personRows.slice(start, start + fetchRows));
    await node.insert(clickHouseTable(store, 'person_overrides'), overrideRows);
  }
  return { persons: personRows.length, overrides: overrideRows.length };
}

/** The current members of the project's cohorts that ClickHouse has no generation of (computed before the switch). */
async function copyMissingCohorts(db: Queryable, store: ClickHouseStore, projectId: number): Promise<number> {
  const known = new Set((await store.primary.query<{ id: number }>(`SELECT DISTINCT cohort_id AS id FROM ${clickHouseTable(store, 'cohort_people')}
    WHERE project_id = ${clickHouseLiteral(projectId)}`)).map((row) => Number(row.id)));
  const { rows: cohorts } = await runQuery<{ id: number }>(db, 'backfill.cohorts', 'SELECT id FROM cohorts WHERE project_id = $1 AND NOT deleted', [projectId]);
  let copied = 0;
  for (const cohort of cohorts.filter((row) => !known.has(row.id))) {
    const { rows } = await runQuery<{ person_uuid: string }>(db, 'backfill.cohort_people', 'SELECT person_uuid::text FROM cohort_people WHERE cohort_id = $1', [cohort.id]);
    // Generation 1: any computation from now on (its transaction id) is newer.
    await copyCohortToClickHouse(store, projectId, cohort.id, '1', rows.map((row) => row.person_uuid));
    copied++;
  }
  return copied;
}

/** Per project and week: events in Postgres against distinct events in ClickHouse. */
export async function compareWeeks(db: Queryable, store: ClickHouseStore, projectIds: number[], since?: Date): Promise<WeekCount[]> {
  const result: WeekCount[] = [];
  for (const projectId of projectIds) {
    const inClickHouse = await clickHouseWeeks(store, projectId);
    for (const { week, events } of await postgresWeeks(db, projectId, since)) {
      result.push({ projectId, week: isoDay(week), postgres: events, clickhouse: inClickHouse.get(isoDay(week)) ?? 0 });
    }
  }
  return result;
}

/**
 * `sounder clickhouse backfill`: every week whose ClickHouse count falls short of Postgres'
 * gets its missing events copied, then persons, overrides and cohort members ClickHouse lacks; finally the
 * counts per week are compared again, which is the verification.
 */
export async function backfillClickHouse(db: Queryable, url: string, store: ClickHouseStore, options: BackfillOptions): Promise<BackfillReport> {
  const before = await compareWeeks(db, store, options.projectIds, options.since);
  const short = before.filter((week) => week.clickhouse < week.postgres);
  const totalEvents = short.reduce((sum, week) => sum + week.postgres, 0);
  let doneEvents = 0;
  let copied = 0;
  for (const week of short) {
    copied += await copyWeek(url, store, week.projectId, new Date(`${week.week}T00:00:00Z`), (rows) => {
      doneEvents += rows;
      options.onProgress?.({ projectId: week.projectId, week: week.week, doneEvents, totalEvents });
    });
  }
  let persons = 0;
  let overrides = 0;
  let cohorts = 0;
  for (const projectId of options.projectIds) {
    const added = await copyMissingPersons(db, store, projectId);
    persons += added.persons;
    overrides += added.overrides;
    cohorts += await copyMissingCohorts(db, store, projectId);
  }
  return { copied, persons, overrides, cohorts, weeks: await compareWeeks(db, store, options.projectIds, options.since) };
}
