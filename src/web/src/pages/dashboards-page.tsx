import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, post } from '../api/client.ts';
import { useProjectId } from '../api/project.ts';
import { Field } from '../components/field.tsx';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import type { Dashboard } from './dashboard-types.ts';

export function DashboardsPage() {
  const projectId = useProjectId();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const dashboards = useQuery({ queryKey: ['dashboards', projectId], queryFn: () => api<{ results: Dashboard[] }>(`/api/projects/${projectId}/dashboards`) });
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const dashboard = await post<Dashboard>(`/api/projects/${projectId}/dashboards`, { name });
      await queryClient.invalidateQueries({ queryKey: ['dashboards', projectId] });
      navigate(`/dashboards/${dashboard.id}`);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <>
      <div className="page-head"><h1>Dashboards</h1></div>
      <form className="inline card" onSubmit={create}>
        <Field label="New dashboard" value={name} onChange={setName} placeholder="e.g. Weekly product review" required />
        <button type="submit">Create dashboard</button>
      </form>
      {(error !== undefined || dashboards.isError) && <ErrorNotice error={error ?? dashboards.error} />}
      {dashboards.isPending ? <Loading what="dashboards" /> : dashboards.data?.results.length === 0 ? (
        <EmptyState title="No dashboards yet"><p>Create one, then add saved insights to it from an insight's page.</p></EmptyState>
      ) : (
        <ul className="plain card-list">
          {dashboards.data?.results.map((dashboard) => <li key={dashboard.id} className="card"><Link href={`/dashboards/${dashboard.id}`}>{dashboard.name}</Link></li>)}
        </ul>
      )}
    </>
  );
}
