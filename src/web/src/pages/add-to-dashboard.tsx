import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, post } from '../api/client.ts';
import { useProjectId } from '../api/project.ts';
import type { Dashboard } from './dashboard-types.ts';

/** Puts a saved insight on one of the project's dashboards. */
export function AddToDashboard({ insightId }: { insightId: number }) {
  const projectId = useProjectId();
  const dashboards = useQuery({ queryKey: ['dashboards', projectId], queryFn: () => api<{ results: Dashboard[] }>(`/api/projects/${projectId}/dashboards`) });
  const [status, setStatus] = useState('');
  const queryClient = useQueryClient();
  if (!dashboards.data?.results.length) return null;
  const add = async (dashboardId: string) => {
    if (!dashboardId) return;
    try {
      await post(`/api/projects/${projectId}/dashboards/${dashboardId}/tiles`, { insight_id: insightId });
      await queryClient.invalidateQueries({ queryKey: ['dashboard', projectId, dashboardId] });
      setStatus(`Added to ${dashboards.data.results.find((d) => String(d.id) === dashboardId)?.name}`);
    } catch (error) {
      setStatus((error as Error).message);
    }
  };
  return (
    <>
      <select aria-label="Add to dashboard" value="" onChange={(e) => add(e.target.value)}>
        <option value="">Add to dashboard…</option>
        {dashboards.data.results.map((dashboard) => <option key={dashboard.id} value={dashboard.id}>{dashboard.name}</option>)}
      </select>
      {status && <span role="status" className="muted">{status}</span>}
    </>
  );
}
