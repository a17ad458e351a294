import { clickHouseLiteral } from '../clickhouse/clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { jsonbText } from '../clickhouse/property-arrays.ts';
import { clickHouseOverrides, clickHousePersonId } from '../query/clickhouse/clickhouse-event-source.ts';
import { eventRecordOf, storedEventColumns, type StoredEventRow } from '../query/clickhouse/clickhouse-list-events.ts';
import { hotProperties } from './lake-schema.ts';
import type { LakeRow } from './write-week-parquet.ts';

const hourMs = 3_600_000;
// Rows per query at most (unless one hour holds more): the HTTP answer is held whole in memory.
const chunkRows = 50_000;

/** The week's hours that hold events, cut into runs of consecutive hours of at most chunkRows events each. */
async function hourChunks(store: ClickHouseStore, project: string, week: Date): Promise<Array<{ from: number; to: number }>> {
  const hours = await store.primary.query<{ hour: string; events: string }>(`/* lake.week_hours */
    SELECT toUnixTimestamp(toStartOfHour(timestamp)) AS hour, count() AS events FROM ${clickHouseTable(store, 'events')}
    WHERE project_id = ${project} AND timestamp >= ${clickHouseLiteral(week)} AND timestamp < ${clickHouseLiteral(new Date(week.getTime() + 7 * 24 * hourMs))}
    GROUP BY hour ORDER BY hour`);
  const chunks: Array<{ from: number; to: number; events: number }> = [];
  for (const row of hours) {
    const from = Number(row.hour) * 1000;
    const events = Number(row.events);
    const last = chunks.at(-1);
    if (last && last.events + events <= chunkRows) {
      last.to = from + hourMs;
      last.events += events;
    } else chunks.push({ from, to: from + hourMs, events });
  }
  return chunks;
}

/**
 * A project's week from ClickHouse, a run of hours at a time, with the same columns as the
 * Postgres side and properties printed as jsonb prints them.
 */
export async function* clickHouseWeekRows(store: ClickHouseStore, projectId: number, week: Date): AsyncGenerator<LakeRow[]> {
  const project = clickHouseLiteral(projectId);
  const weekText = week.toISOString().slice(0, 10);
  for (const chunk of await hourChunks(store, project, week)) {
    const rows = await store.primary.query<StoredEventRow>(`/* lake.week_rows */
      SELECT ${storedEventColumns(clickHousePersonId)}
      FROM ${clickHouseTable(store, 'events')} ANY LEFT JOIN ${clickHouseOverrides(store, project)} USING (project_id, person_id)
      WHERE project_id = ${project} AND timestamp >= ${clickHouseLiteral(new Date(chunk.from))} AND timestamp < ${clickHouseLiteral(new Date(chunk.to))}
      LIMIT 1 BY event_uuid`);
    if (rows.length === 0) continue;
    yield rows.map((row) => {
      const event = eventRecordOf(row);
      // Lake rows name the person of a personless event too, as the Postgres side's md5 does.
      return [event.uuid, projectId, event.event, weekText, event.distinct_id, row.person, event.timestamp, event.created_at,
        event.elements_chain === '' ? null : event.elements_chain, jsonbText(event.properties),
        ...hotProperties.map((key) => {
          const value = event.properties[key];
          return value === null || value === undefined ? null : jsonbText(value);
        })];
    });
  }
}
