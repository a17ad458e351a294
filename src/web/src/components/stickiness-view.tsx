import { useMemo } from 'react';
import type { StickinessSeries } from '../api/insights.ts';
import { LazyChart } from './lazy-chart.tsx';
import { palette } from './palette.ts';

export interface StickinessPoint { series: number; intervals: number; label: string }

/** How many persons did each series in exactly 1, 2, … intervals of the range, as bars. */
export function StickinessView({ result, onPoint }: { result: StickinessSeries[]; onPoint?: (point: StickinessPoint) => void }) {
  const option = useMemo(() => ({
    color: palette,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: result[0]?.labels ?? [] },
    yAxis: { type: 'value', minInterval: 1, name: 'persons' },
    series: result.map((series) => ({ name: series.label, type: 'bar', data: series.data })),
  }), [result]);

  if (result.length === 0 || result.every((series) => series.count === 0)) return <p className="muted">No one did this in the range.</p>;
  return (
    <LazyChart
      option={option}
      label={`Stickiness bars of ${result.map((series) => series.label).join(', ')}`}
      onClick={onPoint && ((click) => {
        const series = result[click.seriesIndex ?? 0];
        const intervals = series?.days[click.dataIndex];
        if (!series || intervals === undefined) return;
        onPoint({ series: series.action.order, intervals, label: `${series.label}: ${series.labels[click.dataIndex]}` });
      })}
    />
  );
}
