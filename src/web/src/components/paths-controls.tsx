import { useId } from 'react';
import type { InsightFilter, PathEventType } from '../api/insights.ts';

const eventTypes: Array<[PathEventType, string]> = [['$pageview', 'Page views (URLs)'], ['$screen', 'Screen views'], ['custom_event', 'Custom events']];

/** Which events make up a path, where it starts or ends, and how long it may be. */
export function PathsControls({ filter, onChange }: { filter: InsightFilter; onChange: (filter: InsightFilter) => void }) {
  const id = useId();
  const set = (patch: Partial<InsightFilter>) => onChange({ ...filter, ...patch });
  const included = new Set(filter.include_event_types ?? ['$pageview']);
  const toggle = (type: PathEventType, on: boolean) => {
    const next = eventTypes.map(([value]) => value).filter((value) => (value === type ? on : included.has(value)));
    if (next.length > 0) set({ include_event_types: next });
  };
  return (
    <>
      <fieldset className="control-row">
        <legend>Show</legend>
        {eventTypes.map(([type, text]) => (
          <label key={type} className="toggle"><input type="checkbox" checked={included.has(type)} onChange={(e) => toggle(type, e.target.checked)} /> {text}</label>
        ))}
        <label className="toggle"><input type="checkbox" checked={filter.path_strip_query ?? false} onChange={(e) => set({ path_strip_query: e.target.checked })} /> Ignore query strings</label>
      </fieldset>
      <div className="control-row">
        <div className="field">
          <label htmlFor={`${id}-start`}>Starts at</label>
          <input id={`${id}-start`} placeholder="any first step" value={filter.start_point ?? ''} onChange={(e) => set({ start_point: e.target.value || undefined })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-end`}>Ends at</label>
          <input id={`${id}-end`} placeholder="anywhere" value={filter.end_point ?? ''} onChange={(e) => set({ end_point: e.target.value || undefined })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-steps`}>Steps</label>
          <input id={`${id}-steps`} type="number" min={2} max={20} value={filter.step_limit ?? 5} onChange={(e) => set({ step_limit: Math.min(20, Math.max(2, Number(e.target.value) || 5)) })} />
        </div>
      </div>
    </>
  );
}
