import { clickHouseTrendsPersonsQuery } from '../clickhouse/clickhouse-trends-persons.ts';
import { runEventsQuery } from '../events-query.ts';
import { resolveRange } from '../filters/date-range.ts';
import { matchEntity } from '../filters/entity-condition.ts';
import { eventPersonId, eventScope, eventSource } from '../filters/event-source.ts';
import { cohortMembership } from '../filters/filter-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import { seriesOf, type InsightFilter } from '../insight-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { SqlParams } from '../sql-params.ts';
import { breakdownSql } from './breakdown-value.ts';
import { activeDays } from './series-query.ts';

export interface TrendsPoint { series: number; bucket: string; breakdownValue?: string }

/**
 * The persons behind one data point: who did series `series` in the interval starting at
 * `bucket` (for weekly and monthly actives, in the 7 or 30 days ending with it), with the
 * breakdown value when there is one.
 */
export async function getTrendsPersonIds(context: InsightContext, filter: InsightFilter, point: TrendsPoint): Promise<string[]> {
  const series = seriesOf(filter)[point.series];
  if (!series) throw new InvalidQueryError(`there is no series ${point.series}`, 'series');
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  if (!range.buckets.includes(point.bucket)) throw new InvalidQueryError(`${point.bucket} is not an interval of the range`, 'day');
  const d = context.dialect;
  const params = new SqlParams();
  const tz = params.add(context.project.timezone);
  const local = d.localTime('e.timestamp', tz);
  const start = `${params.add(point.bucket)}::timestamp`;
  const days = activeDays[series.math];
  const conditions = days
    ? [`${local} >= ${start} + ${d.step(range.interval)} - interval '${days} days'`, `${local} < ${start} + ${d.step(range.interval)}`]
    : [`${d.bucketStart(range.interval, local, context.project.weekStartDay)} = ${start}`];
  const cohortBreakdown = filter.breakdown_type === 'cohort';
  if (point.breakdownValue !== undefined && point.breakdownValue !== 'all') {
    if (cohortBreakdown) conditions.push(cohortMembership(eventScope, point.breakdownValue, params));
    else if (filter.breakdown !== undefined && filter.breakdown !== null) {
      const breakdown = breakdownSql(d, { type: filter.breakdown_type === 'person' ? 'person' : 'event', key: String(filter.breakdown) }, params);
      conditions.push(`${breakdown} = ${params.add(point.breakdownValue)}`);
    }
  }
  const entity = await matchEntity(context, series);
  const from = days ? new Date(range.from.getTime() - days * 86_400_000) : range.from;
  const source = eventSource({
    context, params, from, to: range.to, entities: [entity], properties: { type: 'AND', values: [filter.properties, series.properties] },
    joinPersons: filter.breakdown_type === 'person', extraConditions: conditions,
  });
  const pointBreakdown = !cohortBreakdown && point.breakdownValue !== undefined && point.breakdownValue !== 'all' && filter.breakdown !== undefined && filter.breakdown !== null
    ? { type: filter.breakdown_type === 'person' ? 'person' as const : 'event' as const, key: String(filter.breakdown), value: point.breakdownValue }
    : undefined;
  const rows = await runEventsQuery<{ person_id: string }>(context, 'insights.trends_persons',
    () => ({ text: `SELECT DISTINCT ${eventPersonId}::text AS person_id FROM ${source}`, values: params.values }),
    (store) => {
      const inCohort = cohortBreakdown && point.breakdownValue !== undefined && point.breakdownValue !== 'all'
        ? [{ key: 'id', value: Number(point.breakdownValue), operator: 'exact' as const, type: 'cohort' as const }] : [];
      return clickHouseTrendsPersonsQuery(context, store, {
        entity, properties: { type: 'AND', values: [filter.properties, series.properties, ...inCohort] }, range, bucket: point.bucket, activeDays: days, breakdown: pointBreakdown,
      });
    });
  return rows.map((row) => row.person_id);
}
