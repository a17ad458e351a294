import { useId } from 'react';
import type { BehaviouralCriterion, CohortCriterion, CohortGroup } from '../api/definitions.ts';
import { useEventNames, usePropertyKeys, usePropertyValues } from '../api/suggestions.ts';
import { operators } from './property-filters.tsx';

export interface Criteria { match: 'AND' | 'OR'; items: CohortCriterion[] }

const isCriterion = (value: CohortGroup['values'][number]): value is CohortCriterion => value.type === 'person' || value.type === 'behavioral';

const isGroup = (value: CohortGroup['values'][number]): value is CohortGroup => value.type === 'AND' || value.type === 'OR';

/**
 * A stored definition as the flat list this editor shows (PostHog's app wraps it in one outer
 * group); undefined when it nests groups or other cohorts, which only the API can edit.
 */
export function criteriaOf(group: CohortGroup | undefined): Criteria | undefined {
  if (!group) return { match: 'AND', items: [] };
  const only = group.values.length === 1 ? group.values[0]! : undefined;
  if (only && isGroup(only)) return criteriaOf(only);
  if (!group.values.every(isCriterion)) return undefined;
  return { match: group.type, items: group.values };
}

export const criteriaFilters = (criteria: Criteria) => ({ properties: { type: criteria.match, values: criteria.items } });

const behaviour = (event: string, negation: boolean): BehaviouralCriterion => ({
  type: 'behavioral', key: event, value: 'performed_event', event_type: 'events', time_value: 30, time_interval: 'day', operator: 'gte', operator_value: 1, negation,
});

function PersonRow({ item, index, onChange }: { item: Extract<CohortCriterion, { type: 'person' }>; index: number; onChange: (item: CohortCriterion) => void }) {
  const id = useId();
  const keys = usePropertyKeys('person');
  const values = usePropertyValues('person', item.key);
  const needsValue = operators.find((op) => op.value === item.operator)?.needsValue ?? true;
  return (
    <>
      <datalist id={`${id}-keys`}>{keys.map((key) => <option key={key} value={key} />)}</datalist>
      <datalist id={`${id}-values`}>{values.map((value) => <option key={value} value={value} />)}</datalist>
      <input aria-label={`Criterion ${index + 1} property`} list={`${id}-keys`} placeholder="person property" value={item.key} onChange={(e) => onChange({ ...item, key: e.target.value })} />
      <select aria-label={`Criterion ${index + 1} operator`} value={item.operator} onChange={(e) => onChange({ ...item, operator: e.target.value })}>
        {operators.map((op) => <option key={op.value} value={op.value}>{op.label}</option>)}
      </select>
      {needsValue && <input aria-label={`Criterion ${index + 1} value`} list={`${id}-values`} placeholder="value" value={String(item.value ?? '')} onChange={(e) => onChange({ ...item, value: e.target.value })} />}
    </>
  );
}

function BehaviourRow({ item, index, onChange }: { item: BehaviouralCriterion; index: number; onChange: (item: CohortCriterion) => void }) {
  const id = useId();
  const names = useEventNames();
  return (
    <>
      <datalist id={`${id}-names`}>{names.map((name) => <option key={name} value={name} />)}</datalist>
      <input aria-label={`Criterion ${index + 1} event`} list={`${id}-names`} placeholder="event" value={item.key} onChange={(e) => onChange({ ...item, key: e.target.value })} />
      {!item.negation && <>
        <span>at least</span>
        <input aria-label={`Criterion ${index + 1} times`} type="number" min={1} className="narrow" value={item.operator_value}
          onChange={(e) => { const times = Math.max(1, Number(e.target.value) || 1); const value: BehaviouralCriterion['value'] = times > 1 ? 'performed_event_multiple' : 'performed_event'; onChange({ ...item, operator_value: times, value }); }} />
        <span>{item.operator_value === 1 ? 'time' : 'times'}</span>
      </>}
      <span>in the last</span>
      <input aria-label={`Criterion ${index + 1} days`} type="number" min={1} max={3650} className="narrow" value={item.time_value} onChange={(e) => onChange({ ...item, time_value: Math.min(3650, Math.max(1, Number(e.target.value) || 30)) })} />
      <span>days</span>
    </>
  );
}

/** The rules of a dynamic cohort: person properties, and did / did not do an event lately. */
export function CohortCriteria({ criteria, onChange }: { criteria: Criteria; onChange: (criteria: Criteria) => void }) {
  const kindOf = (item: CohortCriterion) => (item.type === 'person' ? 'person' : item.negation ? 'did_not' : 'did');
  const setItem = (index: number, item: CohortCriterion) => onChange({ ...criteria, items: criteria.items.map((old, i) => (i === index ? item : old)) });
  const changeKind = (index: number, kind: string) => {
    const old = criteria.items[index]!;
    const event = old.type === 'behavioral' ? old.key : '$pageview';
    setItem(index, kind === 'person' ? { type: 'person', key: '', operator: 'exact', value: '' } : { ...behaviour(event, kind === 'did_not'), ...(old.type === 'behavioral' ? { time_value: old.time_value } : {}) });
  };
  return (
    <fieldset className="criteria">
      <legend>
        Persons who match{' '}
        <select aria-label="Match" value={criteria.match} onChange={(e) => onChange({ ...criteria, match: e.target.value as 'AND' | 'OR' })}>
          <option value="AND">all</option><option value="OR">any</option>
        </select>{' '}of these
      </legend>
      {criteria.items.length === 0 && <p className="muted">No rules yet: add one below.</p>}
      {criteria.items.map((item, index) => (
        <div className="criterion" key={index}>
          <select aria-label={`Criterion ${index + 1} kind`} value={kindOf(item)} onChange={(e) => changeKind(index, e.target.value)}>
            <option value="person">have property</option><option value="did">did event</option><option value="did_not">did not do event</option>
          </select>
          {item.type === 'person'
            ? <PersonRow item={item} index={index} onChange={(next) => setItem(index, next)} />
            : <BehaviourRow item={item} index={index} onChange={(next) => setItem(index, next)} />}
          <button type="button" className="link" aria-label={`Remove criterion ${index + 1}`} onClick={() => onChange({ ...criteria, items: criteria.items.filter((_, i) => i !== index) })}>×</button>
        </div>
      ))}
      <span className="inline">
        <button type="button" className="secondary small" onClick={() => onChange({ ...criteria, items: [...criteria.items, { type: 'person', key: '', operator: 'exact', value: '' }] })}>+ Person property</button>
        <button type="button" className="secondary small" onClick={() => onChange({ ...criteria, items: [...criteria.items, behaviour('$pageview', false)] })}>+ Did an event</button>
      </span>
    </fieldset>
  );
}
