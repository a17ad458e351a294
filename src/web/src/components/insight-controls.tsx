import { useId } from 'react';
import { flatProperties, seriesList, type InsightFilter } from '../api/insights.ts';
import { useCohorts } from '../api/definition-queries.ts';
import { usePropertyKeys } from '../api/suggestions.ts';
import { PathsControls } from './paths-controls.tsx';
import { PropertyFilters } from './property-filters.tsx';
import { RetentionControls } from './retention-controls.tsx';
import { SelectField } from './select-field.tsx';
import { SeriesEditor } from './series-editor.tsx';

const dateRanges = [['-24h', 'Last 24 hours'], ['-7d', 'Last 7 days'], ['-14d', 'Last 14 days'], ['-30d', 'Last 30 days'], ['-90d', 'Last 90 days'], ['-180d', 'Last 180 days'], ['mStart', 'This month'], ['-1y', 'Last year']] as const;
const intervals = ['minute', 'hour', 'day', 'week', 'month'] as const;
const displays = [['ActionsLineGraph', 'Line'], ['ActionsBar', 'Bar'], ['BoldNumber', 'Number'], ['ActionsTable', 'Table']] as const;

type Change = (filter: InsightFilter) => void;

function CohortChoice({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const cohorts = useCohorts();
  const chosen = new Set(Array.isArray(filter.breakdown) ? filter.breakdown : []);
  const toggle = (id: number | 'all', on: boolean) => {
    const next = [...chosen].filter((value) => value !== id);
    onChange({ ...filter, breakdown: on ? [...next, id] : next.length > 0 ? next : undefined });
  };
  if (cohorts.length === 0) return <span className="muted">No cohorts yet: make one on the Cohorts page.</span>;
  return (
    <span className="inline wrap">
      <label className="toggle"><input type="checkbox" checked={chosen.has('all')} onChange={(e) => toggle('all', e.target.checked)} /> All users</label>
      {cohorts.map((cohort) => (
        <label key={cohort.id} className="toggle"><input type="checkbox" checked={chosen.has(cohort.id)} onChange={(e) => toggle(cohort.id, e.target.checked)} /> {cohort.name}</label>
      ))}
    </span>
  );
}

function Breakdown({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const type = filter.breakdown_type ?? 'event';
  const keys = usePropertyKeys(type === 'person' ? 'person' : 'event');
  const id = useId();
  const set = (patch: Partial<InsightFilter>) => onChange({ ...filter, ...patch });
  const byCohort = filter.insight === 'TRENDS';
  return (
    <div className="field">
      <label htmlFor={id}>Breakdown by</label>
      <span className="inline">
        <select aria-label="Breakdown property of" value={type} onChange={(e) => set({ breakdown_type: e.target.value as InsightFilter['breakdown_type'], breakdown: undefined })}>
          <option value="event">event</option><option value="person">person</option>{byCohort && <option value="cohort">cohort</option>}
        </select>
        {type === 'cohort' ? <CohortChoice filter={filter} onChange={onChange} /> : (
          <input id={id} placeholder="property (optional)" list={`${id}-keys`} value={typeof filter.breakdown === 'string' ? filter.breakdown : ''} onChange={(e) => set({ breakdown: e.target.value || undefined, breakdown_type: type })} />
        )}
      </span>
      <datalist id={`${id}-keys`}>{keys.map((key) => <option key={key} value={key} />)}</datalist>
    </div>
  );
}

/** A formula over the series letters (A + B, A / B * 100); blank shows the series themselves. */
function Formula({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>Formula</label>
      <input id={id} placeholder="e.g. A / B" value={filter.formula ?? ''} onChange={(e) => onChange({ ...filter, formula: e.target.value || undefined })} />
    </div>
  );
}

function FunnelOptions({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const id = useId();
  const set = (patch: Partial<InsightFilter>) => onChange({ ...filter, ...patch });
  return (
    <>
      <SelectField label="Order" value={filter.funnel_order_type ?? 'ordered'} options={[['ordered', 'Sequential'], ['strict', 'Strict order'], ['unordered', 'Any order']]} onChange={(funnel_order_type) => set({ funnel_order_type })} />
      <div className="field">
        <label htmlFor={id}>Conversion window (days)</label>
        <input id={id} type="number" min={1} max={365} value={filter.funnel_window_interval ?? 14} onChange={(e) => set({ funnel_window_interval: Number(e.target.value) || 14, funnel_window_interval_unit: 'day' })} />
      </div>
    </>
  );
}

/** Everything an insight is built from, for its kind, editing PostHog's filter shape directly. */
export function InsightControls({ filter, onChange }: { filter: InsightFilter; onChange: Change }) {
  const set = (patch: Partial<InsightFilter>) => onChange({ ...filter, ...patch });
  const kind = filter.insight;
  const properties = flatProperties(filter.properties);
  const hasSeries = kind === 'TRENDS' || kind === 'FUNNELS' || kind === 'STICKINESS' || kind === 'LIFECYCLE';
  return (
    <div className="controls">
      {hasSeries && <SeriesEditor filter={filter} onChange={onChange} />}
      {kind === 'RETENTION' && <RetentionControls filter={filter} onChange={onChange} />}
      {kind === 'PATHS' && <PathsControls filter={filter} onChange={onChange} />}
      <div className="control-row">
        {kind !== 'RETENTION' && <SelectField label="Date range" value={filter.date_from ?? '-7d'} options={dateRanges} onChange={(date_from) => set({ date_from })} />}
        {(kind === 'TRENDS' || kind === 'STICKINESS' || kind === 'LIFECYCLE') && (
          <SelectField label="Interval" value={filter.interval ?? 'day'} options={intervals.map((i) => [i, i] as const)} onChange={(interval) => set({ interval })} />
        )}
        {kind === 'TRENDS' && <>
          <SelectField label="Chart" value={filter.display ?? 'ActionsLineGraph'} options={displays} onChange={(display) => set({ display })} />
          <label className="toggle"><input type="checkbox" checked={filter.compare ?? false} onChange={(e) => set({ compare: e.target.checked })} /> Compare with previous period</label>
        </>}
        {kind === 'FUNNELS' && <FunnelOptions filter={filter} onChange={onChange} />}
        {(kind === 'TRENDS' || kind === 'FUNNELS') && <Breakdown filter={filter} onChange={onChange} />}
        {kind === 'TRENDS' && seriesList(filter).length > 1 && <Formula filter={filter} onChange={onChange} />}
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
