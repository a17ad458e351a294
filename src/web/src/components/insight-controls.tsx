import { useId } from 'react';
import { flatProperties, type InsightFilter, type SeriesEntity } from '../api/insights.ts';
import { useEventNames, usePropertyKeys } from '../api/suggestions.ts';
import { PropertyFilters } from './property-filters.tsx';

const maths = [
  ['total', 'Total count'], ['dau', 'Unique users'], ['weekly_active', 'Weekly active'], ['monthly_active', 'Monthly active'], ['unique_session', 'Unique sessions'],
  ['sum', 'Sum of'], ['avg', 'Average of'], ['min', 'Minimum of'], ['max', 'Maximum of'], ['median', 'Median of'], ['p90', '90th percentile of'], ['p95', '95th percentile of'], ['p99', '99th percentile of'],
] as const;
const propertyMaths = new Set(['sum', 'avg', 'min', 'max', 'median', 'p90', 'p95', 'p99']);
const dateRanges = [['-24h', 'Last 24 hours'], ['-7d', 'Last 7 days'], ['-14d', 'Last 14 days'], ['-30d', 'Last 30 days'], ['-90d', 'Last 90 days'], ['-180d', 'Last 180 days'], ['mStart', 'This month'], ['-1y', 'Last year']] as const;
const intervals = ['minute', 'hour', 'day', 'week', 'month'] as const;
const displays = [['ActionsLineGraph', 'Line'], ['ActionsBar', 'Bar'], ['BoldNumber', 'Number'], ['ActionsTable', 'Table']] as const;

type Change = (filter: InsightFilter) => void;

function Select({ label, value, options, onChange }: { label: string; value: string; options: readonly (readonly [string, string])[]; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([key, text]) => <option key={key} value={key}>{text}</option>)}
      </select>
    </div>
  );
}

/** The series of a trend, or the steps of a funnel: an event each, in order. */
function SeriesEditor({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const names = useEventNames();
  const keys = usePropertyKeys('event');
  const isFunnel = filter.insight === 'FUNNELS';
  const listId = useId();
  const update = (index: number, patch: Partial<SeriesEntity>) =>
    onChange({ ...filter, events: filter.events.map((entity, i) => (i === index ? { ...entity, ...patch } : entity)) });
  const renumber = (events: SeriesEntity[]) => events.map((entity, order) => ({ ...entity, order }));

  return (
    <fieldset className="series">
      <legend>{isFunnel ? 'Steps' : 'Series'}</legend>
      <datalist id={listId}>{names.map((name) => <option key={name} value={name} />)}</datalist>
      <datalist id={`${listId}-keys`}>{keys.map((key) => <option key={key} value={key} />)}</datalist>
      {filter.events.map((entity, index) => (
        <div className="series-row" key={index}>
          <span className="badge" aria-hidden>{isFunnel ? index + 1 : String.fromCharCode(65 + index)}</span>
          <input aria-label={`${isFunnel ? 'Step' : 'Series'} ${index + 1} event`} list={listId} value={entity.id} onChange={(e) => update(index, { id: e.target.value, name: e.target.value })} />
          {!isFunnel && (
            <select aria-label={`Series ${index + 1} math`} value={entity.math ?? 'total'} onChange={(e) => update(index, { math: e.target.value })}>
              {maths.map(([key, text]) => <option key={key} value={key}>{text}</option>)}
            </select>
          )}
          {!isFunnel && propertyMaths.has(entity.math ?? '') && (
            <input aria-label={`Series ${index + 1} property`} placeholder="numeric property" list={`${listId}-keys`} value={entity.math_property ?? ''} onChange={(e) => update(index, { math_property: e.target.value })} />
          )}
          {filter.events.length > (isFunnel ? 2 : 1) && (
            <button type="button" className="link" aria-label={`Remove ${isFunnel ? 'step' : 'series'} ${index + 1}`} onClick={() => onChange({ ...filter, events: renumber(filter.events.filter((_, i) => i !== index)) })}>×</button>
          )}
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange({ ...filter, events: renumber([...filter.events, { id: '$pageview', type: 'events', order: 0, ...(isFunnel ? {} : { math: 'total' }) }]) })}>
        + Add {isFunnel ? 'step' : 'series'}
      </button>
    </fieldset>
  );
}

/** Everything a trend or funnel is built from, editing PostHog's filter shape directly. */
export function InsightControls({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const keys = usePropertyKeys(filter.breakdown_type ?? 'event');
  const breakdownId = useId();
  const set = (patch: Partial<InsightFilter>) => onChange({ ...filter, ...patch });
  const properties = flatProperties(filter.properties);
  return (
    <div className="controls">
      <SeriesEditor filter={filter} onChange={onChange} />
      <div className="control-row">
        <Select label="Date range" value={filter.date_from ?? '-7d'} options={dateRanges} onChange={(date_from) => set({ date_from })} />
        {filter.insight === 'TRENDS' && <>
          <Select label="Interval" value={filter.interval ?? 'day'} options={intervals.map((i) => [i, i] as const)} onChange={(interval) => set({ interval })} />
          <Select label="Chart" value={filter.display ?? 'ActionsLineGraph'} options={displays} onChange={(display) => set({ display })} />
          <label className="toggle"><input type="checkbox" checked={filter.compare ?? false} onChange={(e) => set({ compare: e.target.checked })} /> Compare with previous period</label>
        </>}
        {filter.insight === 'FUNNELS' && <>
          <Select label="Order" value={filter.funnel_order_type ?? 'ordered'} options={[['ordered', 'Sequential'], ['strict', 'Strict order'], ['unordered', 'Any order']]} onChange={(funnel_order_type) => set({ funnel_order_type })} />
          <div className="field">
            <label htmlFor={`${breakdownId}-window`}>Conversion window (days)</label>
            <input id={`${breakdownId}-window`} type="number" min={1} max={365} value={filter.funnel_window_interval ?? 14} onChange={(e) => set({ funnel_window_interval: Number(e.target.value) || 14, funnel_window_interval_unit: 'day' })} />
          </div>
        </>}
        <div className="field">
          <label htmlFor={breakdownId}>Breakdown by</label>
          <span className="inline">
            <select aria-label="Breakdown property of" value={filter.breakdown_type ?? 'event'} onChange={(e) => set({ breakdown_type: e.target.value as 'event' | 'person' })}>
              <option value="event">event</option><option value="person">person</option>
            </select>
            <input id={breakdownId} placeholder="property (optional)" list={`${breakdownId}-keys`} value={filter.breakdown ?? ''} onChange={(e) => set({ breakdown: e.target.value || undefined, breakdown_type: filter.breakdown_type ?? 'event' })} />
          </span>
          <datalist id={`${breakdownId}-keys`}>{keys.map((key) => <option key={key} value={key} />)}</datalist>
        </div>
      </div>
      <div className="field">
        <span className="label">Filters</span>
        {properties
          ? <PropertyFilters filters={properties} onChange={(next) => set({ properties: next })} />
          : <p className="muted">This insight's filters use OR groups, which this editor cannot show; they are kept as they are.</p>}
      </div>
    </div>
  );
}
