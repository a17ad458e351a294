import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from './status.tsx';

// ECharts is the largest part of the app; pages without a chart never load it.
const Chart = lazy(() => import('./chart.tsx'));

export function LazyChart(props: ComponentProps<typeof Chart>) {
  return <Suspense fallback={<Loading what="chart" />}><Chart {...props} /></Suspense>;
}
