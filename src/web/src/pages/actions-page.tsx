import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { Action, ActionStep } from '../api/definitions.ts';
import { useProjectId } from '../api/project.ts';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

export function describeStep(step: ActionStep): string {
  const parts = [step.event ?? 'any event'];
  if (step.url) parts.push(`URL ${step.url_matching ?? 'contains'} “${step.url}”`);
  if (step.text) parts.push(`text “${step.text}”`);
  if (step.selector) parts.push(`element ${step.selector}`);
  if (step.href) parts.push(`link to “${step.href}”`);
  return parts.join(', ');
}

export function ActionsPage() {
  const projectId = useProjectId();
  const actions = useQuery({ queryKey: ['actions', projectId], queryFn: () => api<{ results: Action[] }>(`/api/projects/${projectId}/actions`) });
  return (
    <>
      <div className="page-head">
        <h1>Actions</h1>
        <Link className="button" href="/actions/new">New action</Link>
      </div>
      {actions.isError && <ErrorNotice error={actions.error} onRetry={() => actions.refetch()} />}
      {actions.isPending ? <Loading what="actions" /> : actions.data?.results.length === 0 ? (
        <EmptyState title="No actions yet">
          <p>An action names what matters to you, such as “Signed up” = a click on the sign-up button or a view of /welcome. Use it in insights like an event.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Name</th><th scope="col" className="wide-only">Matches</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {actions.data?.results.map((action) => (
                <tr key={action.id}>
                  <td><Link href={`/actions/${action.id}`}>{action.name}</Link></td>
                  <td className="wide-only">{action.steps.map(describeStep).join(' or ')}</td>
                  <td><TimeAgo iso={action.updated_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
