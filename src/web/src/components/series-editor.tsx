import { useId } from 'react';
import { useActions } from '../api/definition-queries.ts';
import { seriesList, withSeries, type InsightFilter, type SeriesEntity } from '../api/insights.ts';
import { useEventNames, usePropertyKeys } from '../api/suggestions.ts';

const maths = [
  ['total', 'Total count'], ['dau', 'Unique users'], ['weekly_active', 'Weekly active'], ['monthly_active', 'Monthly active'], ['unique_session', 'Unique sessions'],
  ['sum', 'Sum of'], ['avg', 'Average of'], ['min', 'Minimum of'], ['max', 'Maximum of'], ['median', 'Median of'], ['p90', '90th percentile of'], ['p95', '95th percentile of'], ['p99', '99th percentile of'],
] as const;
const propertyMaths = new Set(['sum', 'avg', 'min', 'max', 'median', 'p90', 'p95', 'p99']);

/**
 * The series of a trend, stickiness or lifecycle chart, or the steps of a funnel: an event or
 * a saved action each, in order. Only trends pick a math; lifecycle takes a single series.
 */
export function SeriesEditor({ filter, onChange }: { filter: InsightFilter; onChange: (filter: InsightFilter) => void }) {
  const names = useEventNames();
  const keys = usePropertyKeys('event');
  const actions = useActions();
  const isFunnel = filter.insight === 'FUNNELS';
  const withMath = filter.insight === 'TRENDS';
  const maxSeries = filter.insight === 'LIFECYCLE' ? 1 : 30;
  const listId = useId();
  const list = seriesList(filter);
  const change = (next: SeriesEntity[]) => onChange(withSeries(filter, next));
  const update = (index: number, patch: Partial<SeriesEntity>) => change(list.map((entity, i) => (i === index ? { ...entity, ...patch } : entity)));
  const switchKind = (index: number, type: SeriesEntity['type']) => {
    const first = actions[0];
    update(index, type === 'actions' ? { type, id: first?.id ?? '', name: first?.name } : { type, id: '$pageview', name: '$pageview' });
  };

  return (
    <fieldset className="series">
      <legend>{isFunnel ? 'Steps' : maxSeries === 1 ? 'Event' : 'Series'}</legend>
      <datalist id={listId}>{names.map((name) => <option key={name} value={name} />)}</datalist>
      <datalist id={`${listId}-keys`}>{keys.map((key) => <option key={key} value={key} />)}</datalist>
      {list.map((entity, index) => {
        const label = `${isFunnel ? 'Step' : 'Series'} ${index + 1}`;
        return (
          <div className="series-row" key={index}>
            <span className="badge" aria-hidden>{isFunnel ? index + 1 : String.fromCharCode(65 + index)}</span>
            {actions.length > 0 && (
              <select aria-label={`${label} kind`} value={entity.type} onChange={(e) => switchKind(index, e.target.value as SeriesEntity['type'])}>
                <option value="events">Event</option><option value="actions">Action</option>
              </select>
            )}
            {entity.type === 'actions' ? (
              <select aria-label={`${label} action`} value={String(entity.id)} onChange={(e) => update(index, { id: Number(e.target.value), name: actions.find((a) => a.id === Number(e.target.value))?.name })}>
                {actions.map((action) => <option key={action.id} value={action.id}>{action.name}</option>)}
              </select>
            ) : (
              <input aria-label={`${label} event`} list={listId} value={String(entity.id)} onChange={(e) => update(index, { id: e.target.value, name: e.target.value })} />
            )}
            {withMath && (
              <select aria-label={`Series ${index + 1} math`} value={entity.math ?? 'total'} onChange={(e) => update(index, { math: e.target.value })}>
                {maths.map(([key, text]) => <option key={key} value={key}>{text}</option>)}
              </select>
            )}
            {withMath && propertyMaths.has(entity.math ?? '') && (
              <input aria-label={`Series ${index + 1} property`} placeholder="numeric property" list={`${listId}-keys`} value={entity.math_property ?? ''} onChange={(e) => update(index, { math_property: e.target.value })} />
            )}
            {list.length > (isFunnel ? 2 : 1) && (
              <button type="button" className="link" aria-label={`Remove ${isFunnel ? 'step' : 'series'} ${index + 1}`} onClick={() => change(list.filter((_, i) => i !== index))}>×</button>
            )}
          </div>
        );
      })}
      {list.length < maxSeries && (
        <button type="button" className="secondary small" onClick={() => change([...list, { id: '$pageview', type: 'events', order: 0, ...(withMath ? { math: 'total' } : {}) }])}>
          + Add {isFunnel ? 'step' : 'series'}
        </button>
      )}
    </fieldset>
  );
}
