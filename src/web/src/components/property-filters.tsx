import { useId, useState, type FormEvent } from 'react';
import { useCohorts } from '../api/definition-queries.ts';
import { usePropertyKeys, usePropertyValues } from '../api/suggestions.ts';
import type { PropertyFilter } from '../api/types.ts';

export const operators: { value: string; label: string; needsValue: boolean }[] = [
  { value: 'exact', label: '=', needsValue: true },
  { value: 'is_not', label: '≠', needsValue: true },
  { value: 'icontains', label: 'contains', needsValue: true },
  { value: 'not_icontains', label: 'does not contain', needsValue: true },
  { value: 'regex', label: 'matches regex', needsValue: true },
  { value: 'gt', label: '>', needsValue: true },
  { value: 'lt', label: '<', needsValue: true },
  { value: 'is_set', label: 'is set', needsValue: false },
  { value: 'is_not_set', label: 'is not set', needsValue: false },
];

function describe(filter: PropertyFilter, cohortName: (id: unknown) => string): string {
  if (filter.type === 'cohort') return `${filter.operator === 'is_not' ? 'not in' : 'in'} cohort ${cohortName(filter.value)}`;
  const operator = operators.find((op) => op.value === filter.operator);
  const who = filter.type === 'person' ? 'person.' : '';
  return `${who}${filter.key} ${operator?.label ?? filter.operator}${operator?.needsValue ? ` ${String(filter.value)}` : ''}`;
}

/** Property and cohort filters as removable chips, and a small form to add one, with keys and values suggested from real data. */
const typeNames: Record<PropertyFilter['type'], string> = { event: 'Event property', person: 'Person property', cohort: 'Cohort' };

export function PropertyFilters({ filters, onChange, types = ['event', 'person', 'cohort'] }: { filters: PropertyFilter[]; onChange: (filters: PropertyFilter[]) => void; types?: PropertyFilter['type'][] }) {
  const [draft, setDraft] = useState<PropertyFilter>({ key: '', operator: 'exact', value: '', type: types[0]! });
  const listId = useId();
  const propertyType = draft.type === 'person' ? 'person' : 'event';
  const keySuggestions = usePropertyKeys(propertyType);
  const valueSuggestions = usePropertyValues(propertyType, draft.type === 'cohort' ? '' : draft.key);
  const cohorts = useCohorts();
  const cohortName = (id: unknown) => cohorts.find((cohort) => cohort.id === Number(id))?.name ?? `#${String(id)}`;
  const isCohort = draft.type === 'cohort';
  const needsValue = isCohort || (operators.find((op) => op.value === draft.operator)?.needsValue ?? true);
  const complete = isCohort ? draft.value !== '' && draft.value !== undefined : draft.key !== '';

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!complete) return;
    const value = needsValue ? draft.value : undefined;
    onChange([...filters, isCohort ? { type: 'cohort', key: 'id', operator: draft.operator === 'is_not' ? 'is_not' : 'exact', value: Number(value) } : { ...draft, value }]);
    setDraft({ ...draft, key: '', value: '' });
  };
  const chooseType = (type: PropertyFilter['type']) => setDraft({ type, key: '', operator: 'exact', value: '' });

  return (
    <div className="property-filters">
      {filters.map((filter, index) => (
        <span key={`${filter.key}-${index}`} className="chip">
          {describe(filter, cohortName)}
          <button type="button" className="link" aria-label={`Remove filter ${describe(filter, cohortName)}`} onClick={() => onChange(filters.filter((_, i) => i !== index))}>×</button>
        </span>
      ))}
      <form className="inline" onSubmit={add} aria-label="Add a property filter">
        <select aria-label="Property of" value={draft.type} onChange={(e) => chooseType(e.target.value as PropertyFilter['type'])}>
          {types.map((type) => <option key={type} value={type}>{typeNames[type]}</option>)}
        </select>
        {isCohort ? <>
          <select aria-label="Operator" value={draft.operator} onChange={(e) => setDraft({ ...draft, operator: e.target.value })}>
            <option value="exact">in</option><option value="is_not">not in</option>
          </select>
          <select aria-label="Cohort" value={String(draft.value ?? '')} onChange={(e) => setDraft({ ...draft, value: e.target.value })}>
            <option value="">choose a cohort</option>
            {cohorts.map((cohort) => <option key={cohort.id} value={cohort.id}>{cohort.name}</option>)}
          </select>
        </> : <>
          <input aria-label="Property key" placeholder="property" list={listId} value={draft.key} onChange={(e) => setDraft({ ...draft, key: e.target.value })} />
          <datalist id={listId}>{keySuggestions.map((key) => <option key={key} value={key} />)}</datalist>
          <select aria-label="Operator" value={draft.operator} onChange={(e) => setDraft({ ...draft, operator: e.target.value })}>
            {operators.map((op) => <option key={op.value} value={op.value}>{op.label}</option>)}
          </select>
          {needsValue && <input aria-label="Value" placeholder="value" list={`${listId}-values`} value={String(draft.value ?? '')} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />}
          <datalist id={`${listId}-values`}>{valueSuggestions.map((value) => <option key={value} value={value} />)}</datalist>
        </>}
        <button type="submit" className="secondary small" disabled={!complete}>Add filter</button>
      </form>
    </div>
  );
}
