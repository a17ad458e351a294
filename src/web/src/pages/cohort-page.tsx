import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api, patch, post, remove } from '../api/client.ts';
import type { Cohort } from '../api/definitions.ts';
import { useProjectId } from '../api/project.ts';
import type { Person } from '../api/types.ts';
import { CohortCriteria, criteriaFilters, criteriaOf, type Criteria } from '../components/cohort-criteria.tsx';
import { Field } from '../components/field.tsx';
import { personName } from '../components/person-name.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import { cohortSize } from './cohorts-page.tsx';

function Members({ cohort }: { cohort: Cohort }) {
  const projectId = useProjectId();
  const members = useQuery({
    queryKey: ['cohort-persons', projectId, cohort.id, cohort.last_calculation],
    queryFn: () => api<{ results: Person[] }>(`/api/projects/${projectId}/cohorts/${cohort.id}/persons?limit=100`),
    enabled: !cohort.is_calculating,
  });
  return (
    <section className="card">
      <h2>Members <small className="muted" data-testid="cohort-size">{cohortSize(cohort)}</small></h2>
      {cohort.errors_calculating && <ErrorNotice error={cohort.errors_calculating} />}
      {members.isError && <ErrorNotice error={members.error} />}
      {members.data && (members.data.results.length === 0 ? <p className="muted">No one matches yet.</p> : (
        <ul className="plain members">
          {members.data.results.map((person) => <li key={person.uuid}><Link href={`/persons/${person.uuid}`}>{personName(person)}</Link></li>)}
        </ul>
      ))}
    </section>
  );
}

/** Create or edit a cohort: rules over persons and their events, or a list of distinct ids. */
export function CohortPage() {
  const projectId = useProjectId();
  const { cohortId } = useParams<{ cohortId?: string }>();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const stored = useQuery({
    queryKey: ['cohort', projectId, cohortId],
    queryFn: () => api<Cohort>(`/api/projects/${projectId}/cohorts/${cohortId}`),
    enabled: cohortId !== undefined,
    // A new definition is computed in the background: look again until it is done.
    refetchInterval: (query) => (query.state.data?.is_calculating ? 1000 : false),
  });
  const [name, setName] = useState('');
  const [isStatic, setIsStatic] = useState(false);
  const [criteria, setCriteria] = useState<Criteria | undefined>({ match: 'AND', items: [] });
  const [csv, setCsv] = useState('');
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!stored.data) return;
    setName(stored.data.name);
    setIsStatic(stored.data.is_static);
    setCriteria(criteriaOf(stored.data.filters?.properties));
  }, [stored.data?.id, stored.data?.filters]);

  if (stored.isError) return <ErrorNotice error={stored.error} />;
  if (cohortId && !stored.data) return <Loading what="cohort" />;

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const body: Record<string, unknown> = { name };
      if (!cohortId) body.is_static = isStatic;
      if (!isStatic && criteria) body.filters = criteriaFilters(criteria);
      if (isStatic && csv.trim()) body.csv = csv;
      const cohort = cohortId ? await patch<Cohort>(`/api/projects/${projectId}/cohorts/${cohortId}`, body) : await post<Cohort>(`/api/projects/${projectId}/cohorts`, body);
      setError(undefined);
      setCsv('');
      await queryClient.invalidateQueries({ queryKey: ['cohorts', projectId] });
      if (!cohortId) navigate(`/cohorts/${cohort.id}`, { replace: true });
      else await queryClient.invalidateQueries({ queryKey: ['cohort', projectId, cohortId] });
    } catch (caught) {
      setError(caught);
    }
  };
  const destroy = async () => {
    if (!window.confirm(`Delete the cohort “${name}”?`)) return;
    try {
      await remove(`/api/projects/${projectId}/cohorts/${cohortId}`);
      await queryClient.invalidateQueries({ queryKey: ['cohorts', projectId] });
      navigate('/cohorts');
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <>
      <form onSubmit={save}>
        <div className="page-head">
          <h1>{cohortId ? name || 'Cohort' : 'New cohort'}</h1>
          <span className="inline">
            {cohortId && <button type="button" className="danger" onClick={destroy}>Delete</button>}
            <button type="submit">{cohortId ? 'Save' : 'Create cohort'}</button>
          </span>
        </div>
        {error !== undefined && <ErrorNotice error={error} />}
        <div className="card">
          <Field label="Name" value={name} onChange={setName} required maxLength={400} placeholder="e.g. Active buyers" />
          {!cohortId && (
            <fieldset className="control-row">
              <legend>Kind</legend>
              <label className="toggle"><input type="radio" name="kind" checked={!isStatic} onChange={() => setIsStatic(false)} /> Dynamic: persons who match rules, kept up to date</label>
              <label className="toggle"><input type="radio" name="kind" checked={isStatic} onChange={() => setIsStatic(true)} /> List: the distinct ids you upload</label>
            </fieldset>
          )}
        </div>
        <div className="card">
          {isStatic ? (
            <div className="field">
              <label htmlFor="cohort-csv">{cohortId ? 'Replace the list with these distinct ids' : 'Distinct ids'}: one per line, or a CSV whose first column holds them</label>
              <textarea id="cohort-csv" rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} placeholder={'distinct_id\nuser-1\nuser-2'} />
              <input type="file" accept=".csv,text/csv,text/plain" aria-label="Upload CSV" onChange={readFile} />
            </div>
          ) : criteria ? <CohortCriteria criteria={criteria} onChange={setCriteria} /> : (
            <p className="muted">This cohort's rules nest groups or other cohorts, which this editor cannot show; they are kept as they are.</p>
          )}
        </div>
      </form>
      {stored.data && <Members cohort={stored.data} />}
    </>
  );
}
