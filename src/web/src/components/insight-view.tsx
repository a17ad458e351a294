import { useCallback, useState } from 'react';
import { useCohorts } from '../api/definition-queries.ts';
import { filterQuery, insightKinds, type FunnelStep, type InsightFilter, type LifecycleSeries, type PathEdge, type RetentionCohort, type StickinessSeries, type TrendsSeries } from '../api/insights.ts';
import { FunnelView } from './funnel-view.tsx';
import { LifecycleView } from './lifecycle-view.tsx';
import { PathsView } from './paths-view.tsx';
import { PersonsDialog, type PersonsRequest } from './persons-dialog.tsx';
import { RetentionView } from './retention-view.tsx';
import { StickinessView } from './stickiness-view.tsx';
import { TrendsView } from './trends-view.tsx';

type Point = Record<string, string | number | undefined>;

/**
 * An insight's result drawn for its kind. With a project, clicking a data point lists its
 * persons; a shared dashboard has none, so its charts are only pictures.
 */
export function InsightView({ filter, result, projectId }: { filter: InsightFilter; result: unknown; projectId?: string }) {
  const [persons, setPersons] = useState<PersonsRequest | null>(null);
  const cohorts = useCohorts(projectId !== undefined && filter.breakdown_type === 'cohort');
  const breakdownLabel = useCallback((value: string | number) => {
    if (filter.breakdown_type !== 'cohort') return String(value);
    if (value === 'all') return 'All users';
    return cohorts.find((cohort) => cohort.id === Number(value))?.name ?? `cohort ${value}`;
  }, [cohorts, filter.breakdown_type]);
  const show = projectId === undefined ? undefined : (title: string, point: Point) =>
    setPersons({ title, path: `/api/projects/${projectId}/insights/${insightKinds[filter.insight].route}/persons?${filterQuery(filter, point)}` });

  const view = (() => {
    switch (filter.insight) {
      case 'FUNNELS':
        return <FunnelView result={result as FunnelStep[] | FunnelStep[][]} onPoint={show && ((point) => show(point.label, { funnel_step: point.step, funnel_step_breakdown: point.breakdownValue }))} />;
      case 'RETENTION':
        return <RetentionView result={result as RetentionCohort[]} onPoint={show && ((point) => show(point.label, { selected_interval: point.cohort, period_index: point.period }))} />;
      case 'PATHS':
        return <PathsView result={result as PathEdge[]} />;
      case 'STICKINESS':
        return <StickinessView result={result as StickinessSeries[]} onPoint={show && ((point) => show(point.label, { series: point.series, intervals: point.intervals }))} />;
      case 'LIFECYCLE':
        return <LifecycleView result={result as LifecycleSeries[]} onPoint={show && ((point) => show(point.label, { status: point.status, day: point.day }))} />;
      case 'TRENDS':
        return <TrendsView filter={filter} result={result as TrendsSeries[]} breakdownLabel={breakdownLabel} onPoint={show && ((point) => show(point.label, { series: point.series, day: point.day, breakdown_value: point.breakdownValue }))} />;
    }
  })();

  return (
    <>
      {view}
      {persons && <PersonsDialog request={persons} onClose={() => setPersons(null)} />}
    </>
  );
}
