import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { api, patch, post } from '../api/client.ts';
import { insightKinds, kindOfSlug, newFilter, type InsightFilter, type InsightResponse, type SavedInsight } from '../api/insights.ts';
import { useProjectId } from '../api/project.ts';
import { useDebounced } from '../api/use-debounced.ts';
import { InsightControls } from '../components/insight-controls.tsx';
import { InsightView } from '../components/insight-view.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';
import { AddToDashboard } from './add-to-dashboard.tsx';

/** The insight builder: edit the filter, see the result as you go, save it, put it on a dashboard. */
export function InsightPage() {
  const projectId = useProjectId();
  const params = useParams<{ insightId?: string; kind?: string }>();
  const insightId = params.insightId;
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const saved = useQuery({
    queryKey: ['insight', projectId, insightId],
    queryFn: () => api<SavedInsight>(`/api/projects/${projectId}/insights/${insightId}`),
    enabled: insightId !== undefined,
  });
  const [filter, setFilter] = useState<InsightFilter | null>(insightId ? null : newFilter(kindOfSlug(params.kind)));
  const [name, setName] = useState('');
  const [saveError, setSaveError] = useState<unknown>();
  useEffect(() => {
    if (saved.data) {
      setFilter(saved.data.filters);
      setName(saved.data.name);
    }
  }, [saved.data]);

  const settled = useDebounced(filter, 400);
  const result = useQuery({
    queryKey: ['insight-result', projectId, settled],
    queryFn: () => post<InsightResponse>(`/api/projects/${projectId}/insights/${insightKinds[settled!.insight].route}`, settled),
    enabled: settled !== null && [...settled.events, settled.target_entity, settled.returning_entity].every((entity) => entity === undefined || entity.id !== ''),
    placeholderData: keepPreviousData,
  });

  if (saved.isError) return <ErrorNotice error={saved.error} />;
  if (!filter) return <Loading what="insight" />;

  const save = async () => {
    try {
      const body = { name: name || 'Untitled', filters: filter };
      const stored = insightId ? await patch<SavedInsight>(`/api/projects/${projectId}/insights/${insightId}`, body) : await post<SavedInsight>(`/api/projects/${projectId}/insights`, body);
      setSaveError(undefined);
      await queryClient.invalidateQueries({ queryKey: ['insights', projectId] });
      await queryClient.invalidateQueries({ queryKey: ['dashboard', projectId] });
      if (!insightId) navigate(`/insights/${stored.id}`, { replace: true });
      else await queryClient.invalidateQueries({ queryKey: ['insight', projectId, insightId] });
    } catch (error) {
      setSaveError(error);
    }
  };

  return (
    <>
      <div className="page-head">
        <input className="title-input" aria-label="Insight name" placeholder={`Untitled ${insightKinds[filter.insight].noun}`} value={name} onChange={(e) => setName(e.target.value)} />
        <span className="inline">
          {insightId && <AddToDashboard insightId={Number(insightId)} />}
          <button type="button" onClick={save}>{insightId ? 'Save' : 'Save insight'}</button>
        </span>
      </div>
      {saveError !== undefined && <ErrorNotice error={saveError} />}
      <InsightControls filter={filter} onChange={setFilter} />
      <section className="card result" aria-busy={result.isFetching}>
        {result.isError && <ErrorNotice error={result.error} onRetry={() => result.refetch()} />}
        {result.isPending && !result.isError ? <Loading what="result" /> : result.data && (
          <>
            <InsightView filter={settled!} result={result.data.result} projectId={projectId} />
            <p className="muted small-print">Computed <TimeAgo iso={result.data.last_refresh} />{result.data.is_cached ? ' (cached)' : ''}{result.isFetching ? ' · updating…' : ''}</p>
          </>
        )}
      </section>
    </>
  );
}
