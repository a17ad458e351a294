import { useQuery } from '@tanstack/react-query';
import { useParams } from 'wouter';
import { api } from '../api/client.ts';
import { DashboardTiles } from '../components/dashboard-tiles.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import type { DashboardWithTiles } from './dashboard-types.ts';

/** A dashboard opened by its share link, without an account: read-only, refreshed as its owners set. */
export function SharedDashboardPage() {
  const { token } = useParams<{ token: string }>();
  const dashboard = useQuery({
    queryKey: ['shared-dashboard', token],
    queryFn: () => api<DashboardWithTiles>(`/api/shared/dashboards/${encodeURIComponent(token)}`),
    refetchInterval: (query) => (query.state.data?.refresh_seconds ?? 0) * 1000 || false,
  });
  return (
    <main className="content shared">
      {dashboard.isPending && <Loading what="dashboard" />}
      {dashboard.isError && <ErrorNotice error={dashboard.error} />}
      {dashboard.data && <>
        <div className="page-head"><h1>{dashboard.data.name}</h1><span className="muted">Shared with Sounder</span></div>
        <DashboardTiles tiles={dashboard.data.tiles} />
      </>}
    </main>
  );
}
