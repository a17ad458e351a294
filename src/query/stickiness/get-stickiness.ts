import { clickHouseStickinessPersonsQuery, clickHouseStickinessQuery } from '../clickhouse/clickhouse-stickiness.ts';
import { runEventsQuery } from '../events-query.ts';
import { resolveRange } from '../filters/date-range.ts';
import { matchEntity } from '../filters/entity-condition.ts';
import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import { seriesOf, type InsightFilter } from '../insight-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { SqlParams } from '../sql-params.ts';
import { inQuarterHours } from '../filters/person-presence.ts';

export interface StickinessSeriesResult {
  action: { id: string | number | null; type: string; name: string; order: number };
  label: string;
  count: number;
  /** data[k - 1]: persons active in exactly k of the range's intervals. */
  data: number[];
  labels: string[];
  days: number[];
}

/** Persons by the number of distinct intervals of the range they did the series in. */
function activeIntervalsQuery(context: InsightContext, filter: InsightFilter, entity: Awaited<ReturnType<typeof matchEntity>>, range: { from: Date; to: Date }, params: SqlParams): string {
  const d = context.dialect;
  const tz = params.add(context.project.timezone);
  const bucket = d.bucketStart(filter.interval, d.localTime('e.timestamp', tz), context.project.weekStartDay);
  return `SELECT ${eventPersonId} AS person_id, count(DISTINCT ${bucket}) AS intervals
    FROM ${eventSource({ context, params, from: range.from, to: range.to, entities: [entity], properties: filter.properties, presence: inQuarterHours(filter.interval) })}
    GROUP BY 1`;
}

export async function getStickiness(context: InsightContext, filter: InsightFilter): Promise<StickinessSeriesResult[]> {
  const allSeries = seriesOf(filter);
  if (allSeries.length === 0) throw new InvalidQueryError('stickiness needs at least one series in events or actions', 'events');
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  const total = range.buckets.length;
  const results: StickinessSeriesResult[] = [];
  for (const series of allSeries) {
    const entity = await matchEntity(context, series);
    const rows = await runEventsQuery<{ intervals: number | string; persons: number | string }>(context, 'insights.stickiness', () => {
      const params = new SqlParams();
      return { text: `SELECT intervals, count(*) AS persons FROM (${activeIntervalsQuery(context, filter, entity, range, params)}) p GROUP BY 1`, values: params.values };
    }, (store) => clickHouseStickinessQuery(context, store, filter, entity, range));
    const data = Array.from({ length: total }, () => 0);
    for (const row of rows) {
      const intervals = Number(row.intervals);
      if (intervals >= 1 && intervals <= total) data[intervals - 1] = Number(row.persons);
    }
    const name = series.custom_name ?? series.name ?? entity.label;
    results.push({
      action: { id: series.id, type: series.type, name, order: series.order ?? series.index },
      label: name,
      count: data.reduce((sum, value) => sum + value, 0),
      data,
      labels: data.map((_, index) => `${index + 1} ${filter.interval}${index === 0 ? '' : 's'}`),
      days: data.map((_, index) => index + 1),
    });
  }
  return results;
}

/** The persons active in exactly `intervals` intervals for series `seriesIndex`. */
export async function getStickinessPersonIds(context: InsightContext, filter: InsightFilter, seriesIndex: number, intervals: number): Promise<string[]> {
  const series = seriesOf(filter)[seriesIndex];
  if (!series) throw new InvalidQueryError(`there is no series ${seriesIndex}`, 'series');
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  const entity = await matchEntity(context, series);
  const rows = await runEventsQuery<{ person_id: string }>(context, 'insights.stickiness_persons', () => {
    const params = new SqlParams();
    const inner = activeIntervalsQuery(context, filter, entity, range, params);
    return { text: `SELECT person_id::text FROM (${inner}) p WHERE intervals = ${params.add(intervals)}`, values: params.values };
  }, (store) => clickHouseStickinessPersonsQuery(context, store, filter, entity, range, intervals));
  return rows.map((row) => row.person_id);
}
