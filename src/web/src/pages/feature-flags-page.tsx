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
  // A switch shows the state it was moved to until the save and the list read after it are
  // done. It is React state set inside the click: React Query hands cache updates to React a
  // tick later, after React has put a controlled checkbox back, and a list read that was in
  // flight would write the old state over the cache.
  const [moved, setMoved] = useState<ReadonlyMap<number, boolean>>(new Map());
  const activeOf = (flag: FeatureFlag) => moved.get(flag.id) ?? flag.active;
  const toggle = async (flag: FeatureFlag) => {
    const active = !activeOf(flag);
    setMoved((current) => new Map(current).set(flag.id, active));
    try {
      await patch(`/api/projects/${projectId}/feature_flags/${flag.id}`, { active });
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
    await queryClient.invalidateQueries({ queryKey: key });
    setMoved((current) => {
      if (current.get(flag.id) !== active) return current;
      const next = new Map(current);
      next.delete(flag.id);
      return next;
    });
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
                  <td><label className="toggle"><input type="checkbox" checked={activeOf(flag)} onChange={() => toggle(flag)} aria-label={`${flag.key} on`} /> {activeOf(flag) ? 'on' : 'off'}</label></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
