import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { insightKinds, type InsightKind, type SavedInsight } from '../api/insights.ts';
import { useProjectId } from '../api/project.ts';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

export function InsightsPage() {
  const projectId = useProjectId();
  const insights = useQuery({ queryKey: ['insights', projectId], queryFn: () => api<{ results: SavedInsight[] }>(`/api/projects/${projectId}/insights`) });
  return (
    <>
      <div className="page-head">
        <h1>Insights</h1>
        <span className="inline">
          {Object.values(insightKinds).map((kind) => (
            <Link key={kind.slug} className="button" href={`/insights/new/${kind.slug}`}>New {kind.noun}</Link>
          ))}
        </span>
      </div>
      {insights.isError && <ErrorNotice error={insights.error} />}
      {insights.isPending ? <Loading what="insights" /> : insights.data?.results.length === 0 ? (
        <EmptyState title="No saved insights yet"><p>Build a trend, funnel, retention table, paths, stickiness or lifecycle chart, then save it to find it here and put it on dashboards.</p></EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {insights.data?.results.map((insight) => (
                <tr key={insight.id}>
                  <td><Link href={`/insights/${insight.id}`}>{insight.name || 'Untitled'}</Link></td>
                  <td>{insightKinds[insight.filters.insight as InsightKind]?.name ?? insight.filters.insight}</td>
                  <td><TimeAgo iso={insight.updated_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
