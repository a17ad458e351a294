import { clickHouseLiteral } from '../clickhouse/clickhouse-literal.ts';
import { clickHouseTable, type ClickHouseStore } from '../clickhouse/clickhouse-store.ts';
import { clickHouseOverrides, clickHousePersonId } from '../query/clickhouse/clickhouse-event-source.ts';
import { eventTimeMs } from '../query/clickhouse/clickhouse-list-events.ts';
import type { BehaviourSource } from './cohort-condition.ts';
import { isCohortGroup, type BehavioralFilter, type CohortGroup } from './cohort-definition.ts';

const subtract: Record<BehavioralFilter['time_interval'], string> = { hour: 'subtractHours', day: 'subtractDays', week: 'subtractWeeks', month: 'subtractMonths', year: 'subtractYears' };

function behaviouralLeaves(group: CohortGroup): BehavioralFilter[] {
  return group.values.flatMap((item) => (isCohortGroup(item) ? behaviouralLeaves(item) : item.type === 'behavioral' ? [item] : []));
}

/** Who did the filter's event in its window before `now`, and how often, on ClickHouse (persons after merges). */
async function countOnClickHouse(store: ClickHouseStore, projectId: number, filter: BehavioralFilter, now: Date): Promise<Array<{ person: string; n: string }>> {
  const project = clickHouseLiteral(projectId);
  const nowLiteral = clickHouseLiteral(now);
  // The window's start in milliseconds, computed by ClickHouse for calendar months and years (UTC, as Postgres' session).
  const since = `${subtract[filter.time_interval]}(${nowLiteral}, ${clickHouseLiteral(filter.time_value)})`;
  return store.primary.query<{ person: string; n: string }>(`/* cohorts.behaviour */
    SELECT toString(${clickHousePersonId}) AS person, count() AS n
    FROM ${clickHouseTable(store, 'events')} ANY LEFT JOIN ${clickHouseOverrides(store, project)} USING (project_id, person_id)
    WHERE project_id = ${project} AND event = ${clickHouseLiteral(filter.key)}
      AND timestamp >= ${since} AND timestamp <= ${nowLiteral}
      AND ${eventTimeMs} >= toUInt64(toUnixTimestamp(${since})) * 1000 + ${clickHouseLiteral(now.getUTCMilliseconds())}
      AND ${eventTimeMs} <= ${clickHouseLiteral(now.getTime())}
    GROUP BY person`);
}

/**
 * Behaviour counted on ClickHouse before the Postgres query is built: each behavioural filter
 * of the definition becomes its persons and counts, bound to the query as two arrays.
 */
export async function clickHouseBehaviour(store: ClickHouseStore, projectId: number, group: CohortGroup, now: Date): Promise<BehaviourSource> {
  const counted = new Map<BehavioralFilter, Array<{ person: string; n: string }>>();
  for (const filter of behaviouralLeaves(group)) counted.set(filter, await countOnClickHouse(store, projectId, filter, now));
  return (filter, params) => {
    const rows = counted.get(filter)!;
    return `SELECT * FROM unnest(${params.add(rows.map((row) => row.person))}::uuid[], ${params.add(rows.map((row) => Number(row.n)))}::bigint[]) AS counted (person_uuid, n)`;
  };
}
