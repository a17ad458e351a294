import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { api, patch, post, remove } from '../api/client.ts';
import type { FeatureFlag, FlagCondition, FlagPropertyCondition, FlagUsage, FlagVariant } from '../api/definitions.ts';
import { useProjectId } from '../api/project.ts';
import type { PropertyFilter } from '../api/types.ts';
import { Field } from '../components/field.tsx';
import { PropertyFilters } from '../components/property-filters.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';

// The filter editor says "exact"/"is_not" for cohorts; flags store "in"/"not_in".
const toEditor = (condition: FlagPropertyCondition): PropertyFilter =>
  condition.type === 'cohort' ? { ...condition, operator: condition.operator === 'not_in' ? 'is_not' : 'exact' } : condition;
const toFlag = (filter: PropertyFilter): FlagPropertyCondition =>
  filter.type === 'cohort' ? { type: 'cohort', key: 'id', value: filter.value, operator: filter.operator === 'is_not' ? 'not_in' : 'in' } : { key: filter.key, value: filter.value, operator: filter.operator, type: 'person' };

function percentInput(label: string, value: number, onChange: (value: number) => void) {
  return (
    <label className="inline">
      <input type="number" className="narrow" min={0} max={100} aria-label={label} value={value} onChange={(e) => onChange(Math.min(100, Math.max(0, Number(e.target.value) || 0)))} /> %
    </label>
  );
}

function Conditions({ groups, onChange }: { groups: FlagCondition[]; onChange: (groups: FlagCondition[]) => void }) {
  const set = (index: number, patch: Partial<FlagCondition>) => onChange(groups.map((group, i) => (i === index ? { ...group, ...patch } : group)));
  return (
    <section className="card">
      <h2>Release conditions</h2>
      <p className="muted">A person gets the flag when they match any one of these sets of conditions, and fall in its share.</p>
      {groups.length === 0 && <p>No conditions: the flag is off for everyone.</p>}
      {groups.map((group, index) => (
        <fieldset key={index} className="card step">
          <legend>Set {index + 1}{index > 0 ? ' (or)' : ''}</legend>
          <PropertyFilters types={['person', 'cohort']} filters={group.properties.map(toEditor)} onChange={(filters) => set(index, { properties: filters.map(toFlag) })} />
          <span className="inline">
            Roll out to {percentInput(`Set ${index + 1} rollout percentage`, group.rollout_percentage ?? 100, (rollout_percentage) => set(index, { rollout_percentage }))} of {group.properties.length === 0 ? 'everyone' : 'the persons who match'}
          </span>
          <button type="button" className="link danger-text" onClick={() => onChange(groups.filter((_, i) => i !== index))}>Remove set {index + 1}</button>
        </fieldset>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange([...groups, { properties: [], rollout_percentage: 100 }])}>+ Add a set of conditions</button>
    </section>
  );
}

function Variants({ variants, onChange }: { variants: FlagVariant[] | null; onChange: (variants: FlagVariant[] | null) => void }) {
  const total = (variants ?? []).reduce((sum, variant) => sum + variant.rollout_percentage, 0);
  const set = (index: number, patch: Partial<FlagVariant>) => onChange((variants ?? []).map((variant, i) => (i === index ? { ...variant, ...patch } : variant)));
  return (
    <section className="card">
      <h2>Served value</h2>
      <label className="toggle"><input type="radio" name="served" checked={variants === null} onChange={() => onChange(null)} /> On or off</label>
      <label className="toggle"><input type="radio" name="served" checked={variants !== null} onChange={() => onChange(variants ?? [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }])} /> Variants (an experiment)</label>
      {variants && (
        <>
          {variants.map((variant, index) => (
            <div className="criterion" key={index}>
              <input aria-label={`Variant ${index + 1} key`} value={variant.key} onChange={(e) => set(index, { key: e.target.value })} />
              {percentInput(`Variant ${index + 1} percentage`, variant.rollout_percentage, (rollout_percentage) => set(index, { rollout_percentage }))}
              {variants.length > 1 && <button type="button" className="link" aria-label={`Remove variant ${index + 1}`} onClick={() => onChange(variants.filter((_, i) => i !== index))}>×</button>}
            </div>
          ))}
          <p className={total === 100 ? 'muted' : 'danger-text'} role="status">Variants add up to {total}%{total === 100 ? '' : ': they must add up to 100%'}.</p>
          <button type="button" className="secondary small" onClick={() => onChange([...variants, { key: `variant-${variants.length + 1}`, rollout_percentage: 0 }])}>+ Add variant</button>
        </>
      )}
    </section>
  );
}

function Usage({ flagId }: { flagId: string }) {
  const projectId = useProjectId();
  const usage = useQuery({ queryKey: ['flag-usage', projectId, flagId], queryFn: () => api<FlagUsage>(`/api/projects/${projectId}/feature_flags/${flagId}/usage?date_from=-7d`) });
  if (!usage.data) return null;
  return (
    <section className="card">
      <h2>Last 7 days</h2>
      <p data-testid="flag-usage">{usage.data.evaluations} evaluations for {usage.data.distinct_ids} distinct ids{usage.data.responses.length > 0 ? ': ' : '. SDKs report each evaluation as a $feature_flag_called event.'}
        {usage.data.responses.map((response) => `${response.value} ${response.evaluations}`).join(', ')}</p>
    </section>
  );
}

/** Create or edit a feature flag: key, on/off, who gets it, and what it serves. */
export function FeatureFlagPage() {
  const projectId = useProjectId();
  const { flagId } = useParams<{ flagId?: string }>();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const stored = useQuery({ queryKey: ['feature-flag', projectId, flagId], queryFn: () => api<FeatureFlag>(`/api/projects/${projectId}/feature_flags/${flagId}`), enabled: flagId !== undefined });
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [active, setActive] = useState(true);
  const [continuity, setContinuity] = useState(false);
  const [groups, setGroups] = useState<FlagCondition[]>([{ properties: [], rollout_percentage: 100 }]);
  const [variants, setVariants] = useState<FlagVariant[] | null>(null);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!stored.data) return;
    setKey(stored.data.key);
    setName(stored.data.name);
    setActive(stored.data.active);
    setContinuity(stored.data.ensure_experience_continuity);
    setGroups(stored.data.filters.groups);
    setVariants(stored.data.filters.multivariate?.variants ?? null);
  }, [stored.data]);

  if (stored.isError) return <ErrorNotice error={stored.error} />;
  if (flagId && !stored.data) return <Loading what="feature flag" />;

  const save = async () => {
    try {
      const filters = { ...(stored.data?.filters ?? {}), groups, multivariate: variants ? { variants } : null };
      const body = { key, name, active, ensure_experience_continuity: continuity, filters };
      const flag = flagId ? await patch<FeatureFlag>(`/api/projects/${projectId}/feature_flags/${flagId}`, body) : await post<FeatureFlag>(`/api/projects/${projectId}/feature_flags`, body);
      setError(undefined);
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ['feature-flags', projectId] });
      if (!flagId) navigate(`/feature_flags/${flag.id}`, { replace: true });
      else await queryClient.invalidateQueries({ queryKey: ['feature-flag', projectId, flagId] });
    } catch (caught) {
      setSaved(false);
      setError(caught);
    }
  };
  const destroy = async () => {
    if (!window.confirm(`Delete the flag “${key}”? SDKs then get it as off.`)) return;
    try {
      await remove(`/api/projects/${projectId}/feature_flags/${flagId}`);
      await queryClient.invalidateQueries({ queryKey: ['feature-flags', projectId] });
      navigate('/feature_flags');
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <>
      <div className="page-head">
        <h1>{flagId ? key : 'New feature flag'}</h1>
        <span className="inline">
          {flagId && <button type="button" className="danger" onClick={destroy}>Delete</button>}
          <button type="button" onClick={save}>{flagId ? 'Save' : 'Create flag'}</button>
        </span>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
      {saved && error === undefined && <p className="notice" role="status">Saved.</p>}
      <section className="card">
        <Field label="Key" value={key} onChange={setKey} required maxLength={400} placeholder="e.g. new-checkout" hint="Letters, digits, - and _: what your code asks for." />
        <Field label="Description" value={name} onChange={setName} placeholder="optional" />
        <label className="toggle"><input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> Enabled</label>
        <label className="toggle"><input type="checkbox" checked={continuity} onChange={(e) => setContinuity(e.target.checked)} /> Keep the same value when an anonymous visitor signs in</label>
      </section>
      <Conditions groups={groups} onChange={setGroups} />
      <Variants variants={variants} onChange={setVariants} />
      {flagId && <Usage flagId={flagId} />}
    </>
  );
}
