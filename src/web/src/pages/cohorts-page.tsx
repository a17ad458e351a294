import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { Cohort } from '../api/definitions.ts';
import { useProjectId } from '../api/project.ts';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

export function cohortSize(cohort: Cohort): string {
  if (cohort.errors_calculating) return 'could not be computed';
  if (cohort.is_calculating) return 'computing…';
  return `${cohort.count ?? 0} ${cohort.count === 1 ? 'person' : 'persons'}`;
}

export function CohortsPage() {
  const projectId = useProjectId();
  const cohorts = useQuery({ queryKey: ['cohorts', projectId], queryFn: () => api<{ results: Cohort[] }>(`/api/projects/${projectId}/cohorts`) });
  return (
    <>
      <div className="page-head">
        <h1>Cohorts</h1>
        <Link className="button" href="/cohorts/new">New cohort</Link>
      </div>
      {cohorts.isError && <ErrorNotice error={cohorts.error} onRetry={() => cohorts.refetch()} />}
      {cohorts.isPending ? <Loading what="cohorts" /> : cohorts.data?.results.length === 0 ? (
        <EmptyState title="No cohorts yet">
          <p>A cohort is a group of persons: by their properties (plan is pro), by what they did (purchased in the last 30 days), or a list of distinct ids you upload. Filter and break down insights by it.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Size</th><th scope="col" className="wide-only">Computed</th></tr></thead>
            <tbody>
              {cohorts.data?.results.map((cohort) => (
                <tr key={cohort.id}>
                  <td><Link href={`/cohorts/${cohort.id}`}>{cohort.name}</Link></td>
                  <td>{cohort.is_static ? 'List' : 'Dynamic'}</td>
                  <td>{cohortSize(cohort)}</td>
                  <td className="wide-only">{cohort.last_calculation ? <TimeAgo iso={cohort.last_calculation} /> : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
