import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, patch } from '../api/client.ts';
import type { FeatureFlag } from '../api/definitions.ts';
import { useProjectId } from '../api/project.ts';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';

/** "50% of persons where plan = pro, or everyone": a flag's release conditions in a few words. */
export function describeRelease(flag: FeatureFlag): string {
  const groups = flag.filters.groups;
  if (groups.length === 0) return 'no one';
  return groups.map((group) => {
    const share = group.rollout_percentage ?? 100;
    const who = group.properties.length === 0 ? 'everyone' : `${group.properties.length} ${group.properties.length === 1 ? 'condition' : 'conditions'}`;
    return share === 100 ? who : `${share}% of ${who}`;
  }).join(' or ');
}

export function FeatureFlagsPage() {
  const projectId = useProjectId();
  const queryClient = useQueryClient();
  const flags = useQuery({ queryKey: ['feature-flags', projectId] as const, queryFn: () => api<{ results: FeatureFlag[] }>(`/api/projects/${projectId}/feature_flags`) });
  const [error, setError] = useState<unknown>();
  const key = ['feature-flags', projectId];
  const toggle = async (flag: FeatureFlag) => {
    // The switch moves at once, inside the click (React puts a controlled checkbox back if its
    // state has not changed by the end of the event); a failed save puts it back when the list
    // is read again. A read of the list still in flight (the page refreshing what it showed from
    // cache) would write the old state over the new one, so it is cancelled, in the same tick:
    // its revert restores the data as this update leaves it.
    void queryClient.cancelQueries({ queryKey: key });
    queryClient.setQueryData<{ results: FeatureFlag[] }>(key, (old) => old && { results: old.results.map((f) => (f.id === flag.id ? { ...f, active: !flag.active } : f)) });
    try {
      await patch(`/api/projects/${projectId}/feature_flags/${flag.id}`, { active: !flag.active });
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
    await queryClient.invalidateQueries({ queryKey: key });
  };
  return (
    <>
      <div className="page-head">
        <h1>Feature flags</h1>
        <Link className="button" href="/feature_flags/new">New flag</Link>
      </div>
      {(error !== undefined || flags.isError) && <ErrorNotice error={error ?? flags.error} />}
      {flags.isPending ? <Loading what="feature flags" /> : flags.data?.results.length === 0 ? (
        <EmptyState title="No feature flags yet">
          <p>A flag turns a feature on for some of your users. Check it in your app with <code>posthog.isFeatureEnabled('my-flag')</code>; roll it out by percentage or to persons with given properties.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Key</th><th scope="col" className="wide-only">Released to</th><th scope="col">On</th></tr></thead>
            <tbody>
              {flags.data?.results.map((flag) => (
                <tr key={flag.id}>
                  <td><Link href={`/feature_flags/${flag.id}`}>{flag.key}</Link>{flag.name && <div className="muted">{flag.name}</div>}</td>
                  <td className="wide-only">{flag.filters.multivariate ? `${flag.filters.multivariate.variants.length} variants · ` : ''}{describeRelease(flag)}</td>
                  <td><label className="toggle"><input type="checkbox" checked={flag.active} onChange={() => toggle(flag)} aria-label={`${flag.key} on`} /> {flag.active ? 'on' : 'off'}</label></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
