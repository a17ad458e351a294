import { clickHouseAggregatedSeriesQuery, clickHouseBreakdownValuesQuery, clickHouseSeriesQuery } from '../clickhouse/clickhouse-series-query.ts';
import { runEventsQuery } from '../events-query.ts';
import { previousRange, resolveRange, type ResolvedRange } from '../filters/date-range.ts';
import { matchEntity } from '../filters/entity-condition.ts';
import { eventScope } from '../filters/event-source.ts';
import { cohortMembership } from '../filters/filter-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import { seriesOf, type InsightFilter, type Series } from '../insight-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { bucketLabels } from './bucket-labels.ts';
import { parseFormula } from './formula.ts';
import { breakdownOther } from './breakdown-value.ts';
import { aggregatedSeriesQuery, breakdownValuesQuery, seriesQuery, type SeriesSpec } from './series-query.ts';

export interface TrendsSeriesResult {
  action: { id: string | number | null; type: string; name: string; custom_name: string | null; math: string; math_property: string | null; order: number };
  label: string;
  count: number;
  data: number[];
  labels: string[];
  days: string[];
  aggregated_value?: number;
  breakdown_value?: string | number;
  compare?: boolean;
  compare_label?: 'current' | 'previous';
  filter: { date_from: string; date_to: string; interval: string };
}

const aggregatedDisplays = new Set(['ActionsPie', 'ActionsBarValue', 'ActionsTable', 'BoldNumber', 'WorldMap']);
// Accumulated, these count each person once (in the interval first seen), not a sum of daily counts.
const personMath = new Set(['dau', 'weekly_active', 'monthly_active']);

interface Variant { spec: SeriesSpec; breakdownValue?: string | number }

async function breakdownVariants(context: InsightContext, filter: InsightFilter, base: SeriesSpec, range: ResolvedRange): Promise<Variant[]> {
  const breakdown = filter.breakdown;
  if (breakdown === undefined || breakdown === null) return [{ spec: base }];
  if (filter.breakdown_type === 'cohort') {
    const ids = Array.isArray(breakdown) ? breakdown : [breakdown];
    return ids.map((id) => {
      if (id === 'all') return { spec: base, breakdownValue: 'all' };
      if (!Number.isInteger(Number(id))) throw new InvalidQueryError(`cohort breakdown ${JSON.stringify(id)} is not a cohort id`, 'breakdown');
      return { spec: { ...base, extraConditions: (params) => [cohortMembership(eventScope, id, params)], cohort: Number(id) }, breakdownValue: Number(id) };
    });
  }
  if (Array.isArray(breakdown)) throw new InvalidQueryError('a property breakdown takes one property name', 'breakdown');
  const spec: SeriesSpec = { ...base, breakdown: { type: filter.breakdown_type === 'person' ? 'person' : 'event', key: String(breakdown) } };
  const rows = await runEventsQuery<{ value: string }>(context, 'insights.trends_breakdown_values', () => breakdownValuesQuery(context, spec, range, filter.breakdown_limit),
    (store) => clickHouseBreakdownValuesQuery(context, store, spec, range, filter.breakdown_limit));
  const top = rows.slice(0, filter.breakdown_limit).map((row) => row.value);
  const values = rows.length > filter.breakdown_limit ? [...top, breakdownOther] : top;
  const withTop: SeriesSpec = { ...spec, breakdown: { ...spec.breakdown!, top } };
  return values.map((value) => ({ spec: withTop, breakdownValue: value }));
}

async function runVariants(context: InsightContext, filter: InsightFilter, variants: Variant[], range: ResolvedRange): Promise<Map<Variant, { data: number[]; aggregated?: number }>> {
  const aggregated = aggregatedDisplays.has(filter.display ?? '');
  const cumulative = filter.display === 'ActionsLineGraphCumulative';
  const results = new Map<Variant, { data: number[]; aggregated?: number }>();
  // Variants of one breakdown share a query: its rows carry the breakdown value.
  const groups = new Map<SeriesSpec['extraConditions'] | 'shared', Variant[]>();
  for (const variant of variants) {
    const key = variant.spec.extraConditions ?? 'shared';
    groups.set(key, [...groups.get(key) ?? [], variant]);
  }
  for (const group of groups.values()) {
    const spec = group[0]!.spec;
    const byBreakdown = (value: string | null) => group.find((variant) => (spec.breakdown ? variant.breakdownValue === value : true));
    if (aggregated) {
      const rows = await runEventsQuery<{ breakdown: string | null; value: string | number | null }>(context, 'insights.trends_aggregated',
        () => aggregatedSeriesQuery(context, spec, range), (store) => clickHouseAggregatedSeriesQuery(context, store, spec, range));
      for (const variant of group) results.set(variant, { data: [], aggregated: 0 });
      for (const row of rows) {
        const variant = byBreakdown(row.breakdown);
        if (variant) results.set(variant, { data: [], aggregated: Number(row.value ?? 0) });
      }
      continue;
    }
    const cumulativePersons = cumulative && personMath.has(spec.math);
    const rows = await runEventsQuery<{ bucket: string; breakdown: string | null; value: string | number | null }>(context, 'insights.trends',
      () => seriesQuery(context, spec, range, cumulativePersons), (store) => clickHouseSeriesQuery(context, store, spec, range, cumulativePersons));
    const position = new Map(range.buckets.map((bucket, index) => [bucket, index]));
    for (const variant of group) results.set(variant, { data: range.buckets.map(() => 0) });
    for (const row of rows) {
      const variant = byBreakdown(row.breakdown);
      const index = position.get(row.bucket);
      if (variant && index !== undefined) results.get(variant)!.data[index] = Number(row.value ?? 0);
    }
    if (cumulative) {
      for (const variant of group) {
        const data = results.get(variant)!.data;
        for (let index = 1; index < data.length; index++) data[index]! += data[index - 1]!;
      }
    }
  }
  return results;
}

const isPropertyBreakdown = (filter: InsightFilter) =>
  filter.breakdown !== undefined && filter.breakdown !== null && !Array.isArray(filter.breakdown) && filter.breakdown_type !== 'cohort';

/**
 * Event counts broken down by a property in one pass: every value's counts are read at once,
 * the top values by total kept (ties in code-point order) and the rest summed into "other"
 * here. Counts add up; distinct persons do not, so other maths ask for the top values first.
 */
async function runFoldedBreakdown(context: InsightContext, filter: InsightFilter, base: SeriesSpec, range: ResolvedRange): Promise<{ variants: Variant[]; computed: Map<Variant, { data: number[]; aggregated?: number }> }> {
  const spec: SeriesSpec = { ...base, breakdown: { type: filter.breakdown_type === 'person' ? 'person' : 'event', key: String(filter.breakdown) } };
  const aggregated = aggregatedDisplays.has(filter.display ?? '');
  const perValue = new Map<string, { data: number[]; total: number }>();
  const entry = (value: string) => {
    let found = perValue.get(value);
    if (!found) perValue.set(value, found = { data: aggregated ? [] : range.buckets.map(() => 0), total: 0 });
    return found;
  };
  if (aggregated) {
    const rows = await runEventsQuery<{ breakdown: string; value: number }>(context, 'insights.trends_aggregated',
      () => aggregatedSeriesQuery(context, spec, range), (store) => clickHouseAggregatedSeriesQuery(context, store, spec, range));
    for (const row of rows) entry(row.breakdown).total += Number(row.value);
  } else {
    const rows = await runEventsQuery<{ bucket: string; breakdown: string; value: number }>(context, 'insights.trends',
      () => seriesQuery(context, spec, range), (store) => clickHouseSeriesQuery(context, store, spec, range));
    const position = new Map(range.buckets.map((bucket, index) => [bucket, index]));
    for (const row of rows) {
      const index = position.get(row.bucket);
      if (index === undefined) continue;
      const found = entry(row.breakdown);
      found.data[index]! += Number(row.value);
      found.total += Number(row.value);
    }
  }
  const ordered = [...perValue.entries()].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept: Array<[string, { data: number[]; total: number }]> = ordered.slice(0, filter.breakdown_limit);
  const rest = ordered.slice(filter.breakdown_limit);
  if (rest.length > 0) {
    kept.push([breakdownOther, {
      data: aggregated ? [] : range.buckets.map((_, index) => rest.reduce((sum, [, value]) => sum + value.data[index]!, 0)),
      total: rest.reduce((sum, [, value]) => sum + value.total, 0),
    }]);
  }
  const variants: Variant[] = [];
  const computed = new Map<Variant, { data: number[]; aggregated?: number }>();
  for (const [value, { data, total }] of kept) {
    const variant: Variant = { spec, breakdownValue: value };
    if (filter.display === 'ActionsLineGraphCumulative') for (let index = 1; index < data.length; index++) data[index]! += data[index - 1]!;
    variants.push(variant);
    computed.set(variant, aggregated ? { data: [], aggregated: total } : { data });
  }
  return { variants, computed };
}

function describe(series: Series, label: string): TrendsSeriesResult['action'] {
  return {
    id: series.id, type: series.type, name: series.name ?? label, custom_name: series.custom_name ?? null,
    math: series.math, math_property: series.math_property ?? null, order: series.order ?? series.index,
  };
}

const toFilterDate = (date: Date) => date.toISOString();

/** PostHog's trends: one result per series (and breakdown value, and compared period), or per formula. */
export async function getTrends(context: InsightContext, filter: InsightFilter): Promise<TrendsSeriesResult[]> {
  const allSeries = seriesOf(filter);
  if (allSeries.length === 0) throw new InvalidQueryError('trends need at least one series in events or actions', 'events');
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: filter.interval });
  const ranges: Array<{ range: ResolvedRange; label?: 'current' | 'previous' }> = filter.compare
    ? [{ range, label: 'current' }, { range: await previousRange(context, range), label: 'previous' }]
    : [{ range }];
  const matchers = await Promise.all(allSeries.map((series) => matchEntity(context, series)));
  const results: TrendsSeriesResult[] = [];
  for (const { range: period, label: compareLabel } of ranges) {
    const { labels, days } = bucketLabels(period.buckets, period.interval);
    const perSeries: TrendsSeriesResult[][] = [];
    for (const [index, series] of allSeries.entries()) {
      const base: SeriesSpec = { entity: matchers[index]!, math: series.math, mathProperty: series.math_property, properties: { type: 'AND', values: [filter.properties, series.properties] } };
      const { variants, computed } = series.math === 'total' && isPropertyBreakdown(filter)
        ? await runFoldedBreakdown(context, filter, base, period)
        : await breakdownVariants(context, filter, base, period).then(async (variants) => ({ variants, computed: await runVariants(context, filter, variants, period) }));
      const name = series.custom_name ?? series.name ?? matchers[index]!.label;
      perSeries.push(variants.map((variant) => {
        const { data, aggregated } = computed.get(variant)!;
        const result: TrendsSeriesResult = {
          action: describe(series, matchers[index]!.label),
          label: variant.breakdownValue === undefined ? name : `${name} - ${variant.breakdownValue}`,
          count: aggregated ?? data.reduce((sum, value) => sum + value, 0),
          data, labels, days,
          filter: { date_from: toFilterDate(period.from), date_to: toFilterDate(period.to), interval: period.interval },
        };
        if (aggregated !== undefined) result.aggregated_value = aggregated;
        if (variant.breakdownValue !== undefined) result.breakdown_value = variant.breakdownValue;
        if (compareLabel) Object.assign(result, { compare: true, compare_label: compareLabel });
        return result;
      }));
    }
    results.push(...(filter.formula ? applyFormula(filter.formula, perSeries) : perSeries.flat()));
  }
  return results;
}

/** One result per breakdown value: the formula evaluated point by point over the series. */
function applyFormula(formula: string, perSeries: TrendsSeriesResult[][]): TrendsSeriesResult[] {
  const evaluate = parseFormula(formula, perSeries.length);
  const keys = [...new Set(perSeries.flatMap((results) => results.map((result) => result.breakdown_value)))];
  return keys.map((key) => {
    const matching = perSeries.map((results) => results.find((result) => result.breakdown_value === key));
    const template = matching.find(Boolean)!;
    const length = template.data.length;
    const data = Array.from({ length }, (_, index) => evaluate(matching.map((result) => result?.data[index] ?? 0)));
    const aggregated = template.aggregated_value !== undefined ? evaluate(matching.map((result) => result?.aggregated_value ?? 0)) : undefined;
    const result: TrendsSeriesResult = {
      ...template,
      label: key === undefined ? formula : `${formula} - ${key}`,
      data,
      count: aggregated ?? data.reduce((sum, value) => sum + value, 0),
    };
    if (aggregated !== undefined) result.aggregated_value = aggregated;
    return result;
  });
}
