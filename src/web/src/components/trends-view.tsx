import { useMemo } from 'react';
import type { InsightFilter, TrendsSeries } from '../api/insights.ts';
import { LazyChart } from './lazy-chart.tsx';
import { palette } from './palette.ts';

export interface TrendsPoint { series: number; day: string; breakdownValue?: string; label: string }

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

type BreakdownLabel = (value: string | number) => string;

function seriesName(series: TrendsSeries, breakdownLabel: BreakdownLabel = String): string {
  const previous = series.compare_label === 'previous' ? ' (previous)' : '';
  if (series.breakdown_value === undefined) return `${series.label}${previous}`;
  // The API's label ends in the raw breakdown value (for a cohort, its id): show the value by its name instead.
  const suffix = ` - ${series.breakdown_value}`;
  const base = series.label.endsWith(suffix) ? series.label.slice(0, -suffix.length) : series.label;
  return `${base} · ${breakdownLabel(series.breakdown_value)}${previous}`;
}

const total = (series: TrendsSeries) => series.aggregated_value ?? series.count;

/** A trend as a line or bar chart, one big number, or a table; a click on a point asks for its persons. */
export function TrendsView({ filter, result, onPoint, breakdownLabel }: { filter: InsightFilter; result: TrendsSeries[]; onPoint?: (point: TrendsPoint) => void; breakdownLabel?: BreakdownLabel }) {
  const display = filter.display ?? 'ActionsLineGraph';
  const nameOf = (series: TrendsSeries) => seriesName(series, breakdownLabel);
  const option = useMemo(() => ({
    color: palette,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: result.find((s) => s.compare_label !== 'previous')?.labels ?? result[0]?.labels ?? [] },
    yAxis: { type: 'value', minInterval: 1 },
    series: result.map((series, index) => ({
      name: nameOf(series),
      type: display === 'ActionsBar' ? 'bar' : 'line',
      data: series.data,
      smooth: false,
      symbolSize: 6,
      lineStyle: series.compare_label === 'previous' ? { type: 'dashed' } : undefined,
      itemStyle: { color: palette[index % palette.length] },
    })),
  }), [result, display, breakdownLabel]);

  if (result.length === 0) return <p className="muted">No data for this range.</p>;
  if (display === 'BoldNumber') {
    return <div className="bold-number" aria-label="Total">{number.format(total(result[0]!))}<small>{nameOf(result[0]!)}</small></div>;
  }
  if (display === 'ActionsTable') {
    return (
      <table className="data">
        <thead><tr><th scope="col">Series</th><th scope="col">Total</th></tr></thead>
        <tbody>{result.map((series, index) => <tr key={index}><td>{nameOf(series)}</td><td>{number.format(total(series))}</td></tr>)}</tbody>
      </table>
    );
  }
  return (
    <LazyChart
      option={option}
      label={`${display === 'ActionsBar' ? 'Bar' : 'Line'} chart of ${result.map(nameOf).join(', ')}`}
      onClick={onPoint && ((click) => {
        const series = result[click.seriesIndex ?? 0];
        const day = series?.days[click.dataIndex];
        if (!series || !day) return;
        onPoint({ series: series.action.order, day, breakdownValue: series.breakdown_value === undefined ? undefined : String(series.breakdown_value), label: `${nameOf(series)} on ${series.labels[click.dataIndex]}` });
      })}
    />
  );
}
