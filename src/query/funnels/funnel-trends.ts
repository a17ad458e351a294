import { runQuery } from '../../db/pool.ts';
import { resolveRange } from '../filters/date-range.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter } from '../insight-filter.ts';
import { SqlParams } from '../sql-params.ts';
import { bucketLabels } from '../trends/bucket-labels.ts';
import type { PersonOutcome } from './get-funnel.ts';

export interface FunnelTrendsResult { data: number[]; entered: number[]; converted: number[]; days: string[]; labels: string[]; count: number }

/**
 * Conversion over time: for each interval, the persons whose funnel started in it, and the
 * share (in %) of them who reached the last step.
 */
export async function funnelTrends(context: InsightContext, filter: InsightFilter, outcomes: PersonOutcome[], stepCount: number): Promise<FunnelTrendsResult> {
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  const d = context.dialect;
  const params = new SqlParams();
  const tz = params.add(context.project.timezone);
  const local = d.localTime('to_timestamp(start_ms / 1000.0)', tz);
  // Starting times go to the database once, to be put in intervals of the project's time zone.
  const { rows } = await runQuery<{ bucket: string; entered: number; converted: number }>(context.db, 'insights.funnel_trends',
    `SELECT ${d.bucketKey(d.bucketStart(range.interval, local, context.project.weekStartDay))} AS bucket, count(*) AS entered, count(*) FILTER (WHERE completed) AS converted
     FROM unnest(${params.add(outcomes.map((outcome) => outcome.match.times[0]))}::float8[], ${params.add(outcomes.map((outcome) => outcome.match.steps === stepCount))}::boolean[])
       AS starts (start_ms, completed)
     GROUP BY 1`, params.values);
  const position = new Map(range.buckets.map((bucket, index) => [bucket, index]));
  const entered = range.buckets.map(() => 0);
  const converted = range.buckets.map(() => 0);
  for (const row of rows) {
    const index = position.get(row.bucket);
    if (index === undefined) continue;
    entered[index] = row.entered;
    converted[index] = row.converted;
  }
  const { days, labels } = bucketLabels(range.buckets, range.interval);
  const data = entered.map((count, index) => (count === 0 ? 0 : (converted[index]! / count) * 100));
  return { data, entered, converted, days, labels, count: range.buckets.length };
}
