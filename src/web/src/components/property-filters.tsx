import { useId, useState, type FormEvent } from 'react';
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

function describe(filter: PropertyFilter): string {
  const operator = operators.find((op) => op.value === filter.operator);
  const who = filter.type === 'person' ? 'person.' : '';
  return `${who}${filter.key} ${operator?.label ?? filter.operator}${operator?.needsValue ? ` ${String(filter.value)}` : ''}`;
}

/** Property filters as removable chips, and a small form to add one, with keys and values suggested from real data. */
export function PropertyFilters({ filters, onChange }: { filters: PropertyFilter[]; onChange: (filters: PropertyFilter[]) => void }) {
  const [draft, setDraft] = useState<PropertyFilter>({ key: '', operator: 'exact', value: '', type: 'event' });
  const listId = useId();
  const keySuggestions = usePropertyKeys(draft.type);
  const valueSuggestions = usePropertyValues(draft.type, draft.key);
  const needsValue = operators.find((op) => op.value === draft.operator)?.needsValue ?? true;

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.key) return;
    const value = needsValue ? draft.value : undefined;
    onChange([...filters, { ...draft, value }]);
    setDraft({ ...draft, key: '', value: '' });
  };

  return (
    <div className="property-filters">
      {filters.map((filter, index) => (
        <span key={`${filter.key}-${index}`} className="chip">
          {describe(filter)}
          <button type="button" className="link" aria-label={`Remove filter ${describe(filter)}`} onClick={() => onChange(filters.filter((_, i) => i !== index))}>×</button>
        </span>
      ))}
      <form className="inline" onSubmit={add} aria-label="Add a property filter">
        <select aria-label="Property of" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value as PropertyFilter['type'] })}>
          <option value="event">Event property</option>
          <option value="person">Person property</option>
        </select>
        <input aria-label="Property key" placeholder="property" list={listId} value={draft.key} onChange={(e) => setDraft({ ...draft, key: e.target.value })} />
        <datalist id={listId}>{keySuggestions.map((key) => <option key={key} value={key} />)}</datalist>
        <select aria-label="Operator" value={draft.operator} onChange={(e) => setDraft({ ...draft, operator: e.target.value })}>
          {operators.map((op) => <option key={op.value} value={op.value}>{op.label}</option>)}
        </select>
        {needsValue && <input aria-label="Value" placeholder="value" list={`${listId}-values`} value={String(draft.value ?? '')} onChange={(e) => setDraft({ ...draft, value: e.target.value })} />}
        <datalist id={`${listId}-values`}>{valueSuggestions.map((value) => <option key={value} value={value} />)}</datalist>
        <button type="submit" className="secondary small" disabled={!draft.key}>Add filter</button>
      </form>
    </div>
  );
}
