import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useLocation, useParams } from 'wouter';
import { api, patch, post, remove } from '../api/client.ts';
import type { Action, ActionStep, Matching } from '../api/definitions.ts';
import type { InsightResponse, TrendsSeries } from '../api/insights.ts';
import { useProjectId } from '../api/project.ts';
import { useEventNames } from '../api/suggestions.ts';
import { Field } from '../components/field.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';

const matchings: Array<[Matching, string]> = [['contains', 'contains'], ['exact', 'is exactly'], ['regex', 'matches regex']];
const blankStep = (): ActionStep => ({ event: '$pageview', url: '', url_matching: 'contains' });

/** Drops empty fields, so a step checks only what was filled in. */
function cleanStep(step: ActionStep): ActionStep {
  const out: ActionStep = {};
  for (const [key, value] of Object.entries(step)) if (value !== '' && value !== null && value !== undefined) (out as Record<string, unknown>)[key] = value;
  if (!out.text) delete out.text_matching;
  if (!out.href) delete out.href_matching;
  return out;
}

function StepEditor({ step, index, onChange, onRemove }: { step: ActionStep; index: number; onChange: (step: ActionStep) => void; onRemove?: () => void }) {
  const names = useEventNames();
  const id = useId();
  const set = (patch: Partial<ActionStep>) => onChange({ ...step, ...patch });
  const isClick = step.event === '$autocapture';
  return (
    <fieldset className="card step">
      <legend>Step {index + 1}{index > 0 ? ' (or)' : ''}</legend>
      <datalist id={`${id}-names`}>{names.map((name) => <option key={name} value={name} />)}</datalist>
      <div className="control-row">
        <div className="field">
          <label htmlFor={`${id}-event`}>Event</label>
          <input id={`${id}-event`} list={`${id}-names`} placeholder="any event" value={step.event ?? ''} onChange={(e) => set({ event: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-url`}>Page URL</label>
          <span className="inline">
            <select aria-label={`Step ${index + 1} URL matching`} value={step.url_matching ?? 'contains'} onChange={(e) => set({ url_matching: e.target.value as Matching })}>
              {matchings.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
            </select>
            <input id={`${id}-url`} placeholder="any page" value={step.url ?? ''} onChange={(e) => set({ url: e.target.value })} />
          </span>
        </div>
      </div>
      {isClick && (
        <div className="control-row">
          <Field label="Element text" value={step.text ?? ''} onChange={(text) => set({ text, text_matching: 'exact' })} placeholder="e.g. Sign up" />
          <Field label="CSS selector" value={step.selector ?? ''} onChange={(selector) => set({ selector })} placeholder="e.g. button.primary" />
          <Field label="Link target (href)" value={step.href ?? ''} onChange={(href) => set({ href, href_matching: 'exact' })} placeholder="e.g. /signup" />
        </div>
      )}
      {onRemove && <button type="button" className="link danger-text" onClick={onRemove}>Remove step {index + 1}</button>}
    </fieldset>
  );
}

/** How many events the saved action matched lately: proof that its steps say what was meant. */
function MatchedCount({ actionId }: { actionId: number }) {
  const projectId = useProjectId();
  const result = useQuery({
    queryKey: ['action-count', projectId, actionId],
    queryFn: () => post<InsightResponse<TrendsSeries[]>>(`/api/projects/${projectId}/insights/trend`, {
      insight: 'TRENDS', date_from: '-30d', interval: 'day', actions: [{ id: actionId, type: 'actions', order: 0 }],
    }),
  });
  if (!result.data) return null;
  const count = result.data.result[0]?.count ?? 0;
  return <p className="muted" data-testid="action-count">Matched {count} {count === 1 ? 'event' : 'events'} in the last 30 days.</p>;
}

/** Create or edit an action: a name and the steps an event may match (any one of them). */
export function ActionPage() {
  const projectId = useProjectId();
  const { actionId } = useParams<{ actionId?: string }>();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const stored = useQuery({ queryKey: ['action', projectId, actionId], queryFn: () => api<Action>(`/api/projects/${projectId}/actions/${actionId}`), enabled: actionId !== undefined });
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [steps, setSteps] = useState<ActionStep[]>([blankStep()]);
  const [error, setError] = useState<unknown>();
  const [savedAt, setSavedAt] = useState(0);
  useEffect(() => {
    if (!stored.data) return;
    setName(stored.data.name);
    setDescription(stored.data.description);
    setSteps(stored.data.steps);
  }, [stored.data]);

  if (stored.isError) return <ErrorNotice error={stored.error} />;
  if (actionId && !stored.data) return <Loading what="action" />;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const body = { name, description, steps: steps.map(cleanStep) };
      const action = actionId ? await patch<Action>(`/api/projects/${projectId}/actions/${actionId}`, body) : await post<Action>(`/api/projects/${projectId}/actions`, body);
      setError(undefined);
      setSavedAt(Date.now());
      await queryClient.invalidateQueries({ queryKey: ['actions', projectId] });
      await queryClient.invalidateQueries({ queryKey: ['action-count', projectId, action.id] });
      if (!actionId) navigate(`/actions/${action.id}`, { replace: true });
      else await queryClient.invalidateQueries({ queryKey: ['action', projectId, actionId] });
    } catch (caught) {
      setError(caught);
    }
  };
  const destroy = async () => {
    if (!window.confirm(`Delete the action “${name}”? Insights using it stop matching.`)) return;
    try {
      await remove(`/api/projects/${projectId}/actions/${actionId}`);
      await queryClient.invalidateQueries({ queryKey: ['actions', projectId] });
      navigate('/actions');
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <form onSubmit={save}>
      <div className="page-head">
        <h1>{actionId ? name || 'Action' : 'New action'}</h1>
        <span className="inline">
          {actionId && <button type="button" className="danger" onClick={destroy}>Delete</button>}
          <button type="submit">{actionId ? 'Save' : 'Create action'}</button>
        </span>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
      {savedAt > 0 && error === undefined && <p className="notice" role="status">Saved.</p>}
      <div className="card">
        <Field label="Name" value={name} onChange={setName} required maxLength={400} placeholder="e.g. Signed up" />
        <Field label="Description" value={description} onChange={setDescription} placeholder="optional" />
        {actionId && <MatchedCount actionId={Number(actionId)} />}
      </div>
      <p className="muted">An event matches this action when it matches any one of these steps. Use <code>$autocapture</code> to match clicks by text, selector or link.</p>
      {steps.map((step, index) => (
        <StepEditor key={index} step={step} index={index} onChange={(next) => setSteps(steps.map((s, i) => (i === index ? next : s)))}
          onRemove={steps.length > 1 ? () => setSteps(steps.filter((_, i) => i !== index)) : undefined} />
      ))}
      <button type="button" className="secondary" onClick={() => setSteps([...steps, blankStep()])}>+ Add another way to match</button>
    </form>
  );
}
