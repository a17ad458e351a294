import { useState } from 'react';
import { filterQuery, routeOf, type FunnelStep, type InsightFilter, type TrendsSeries } from '../api/insights.ts';
import { FunnelView } from './funnel-view.tsx';
import { PersonsDialog, type PersonsRequest } from './persons-dialog.tsx';
import { TrendsView } from './trends-view.tsx';

/**
 * An insight's result drawn for its kind. With a project, clicking a data point lists its
 * persons; a shared dashboard has none, so its charts are only pictures.
 */
export function InsightView({ filter, result, projectId }: { filter: InsightFilter; result: unknown; projectId?: string }) {
  const [persons, setPersons] = useState<PersonsRequest | null>(null);
  const personsPath = (point: Record<string, string | number | undefined>) =>
    `/api/projects/${projectId}/insights/${routeOf[filter.insight]}/persons?${filterQuery(filter, point)}`;

  return (
    <>
      {filter.insight === 'FUNNELS'
        ? <FunnelView result={result as FunnelStep[] | FunnelStep[][]} onPoint={projectId ? (point) => setPersons({ title: point.label, path: personsPath({ funnel_step: point.step, funnel_step_breakdown: point.breakdownValue }) }) : undefined} />
        : <TrendsView filter={filter} result={result as TrendsSeries[]} onPoint={projectId ? (point) => setPersons({ title: point.label, path: personsPath({ series: point.series, day: point.day, breakdown_value: point.breakdownValue }) }) : undefined} />}
      {persons && <PersonsDialog request={persons} onClose={() => setPersons(null)} />}
    </>
  );
}
