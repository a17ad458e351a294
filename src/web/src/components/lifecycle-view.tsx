import { useMemo } from 'react';
import type { LifecycleSeries } from '../api/insights.ts';
import { LazyChart } from './lazy-chart.tsx';

export interface LifecyclePoint { status: LifecycleSeries['status']; day: string; label: string }

const colors: Record<LifecycleSeries['status'], string> = { new: '#16a34a', returning: '#4f46e5', resurrecting: '#9333ea', dormant: '#dc2626' };

/** New, returning and resurrecting persons stacked above the axis, dormant ones below it. */
export function LifecycleView({ result, onPoint }: { result: LifecycleSeries[]; onPoint?: (point: LifecyclePoint) => void }) {
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: 'category', data: result[0]?.labels ?? [] },
    yAxis: { type: 'value', minInterval: 1 },
    series: result.map((series) => ({
      name: series.status, type: 'bar', stack: series.status === 'dormant' ? 'out' : 'in', data: series.data, itemStyle: { color: colors[series.status] },
    })),
  }), [result]);

  if (result.every((series) => series.count === 0)) return <p className="muted">No one did this in the range.</p>;
  return (
    <LazyChart
      option={option}
      label="Lifecycle bars of new, returning, resurrecting and dormant persons"
      onClick={onPoint && ((click) => {
        const series = result[click.seriesIndex ?? 0];
        const day = series?.days[click.dataIndex];
        if (!series || !day) return;
        onPoint({ status: series.status, day, label: `${series.status} on ${series.labels[click.dataIndex]}` });
      })}
    />
  );
}
