import { useId } from 'react';
import type { InsightFilter, SeriesEntity } from '../api/insights.ts';
import { useEventNames } from '../api/suggestions.ts';
import { SelectField } from './select-field.tsx';

const periods = [['Hour', 'Hour'], ['Day', 'Day'], ['Week', 'Week'], ['Month', 'Month']] as const;
const types = [['retention_first_time', 'for the first time'], ['retention_recurring', 'any time (recurring)']] as const;

/** Who counts as a cohort (did the start event), what counts as coming back, and over how many periods. */
export function RetentionControls({ filter, onChange }: { filter: InsightFilter; onChange: (filter: InsightFilter) => void }) {
  const names = useEventNames();
  const id = useId();
  const set = (patch: Partial<InsightFilter>) => onChange({ ...filter, ...patch });
  const entity = (name: string): SeriesEntity => ({ id: name, name, type: 'events', order: 0 });
  return (
    <>
      <datalist id={`${id}-events`}>{names.map((name) => <option key={name} value={name} />)}</datalist>
      <div className="control-row">
        <div className="field">
          <label htmlFor={`${id}-target`}>Cohort: persons who did</label>
          <input id={`${id}-target`} list={`${id}-events`} value={filter.target_entity?.id ?? ''} onChange={(e) => set({ target_entity: entity(e.target.value) })} />
        </div>
        <SelectField label="Start event done" value={filter.retention_type ?? 'retention_first_time'} options={types} onChange={(retention_type) => set({ retention_type: retention_type as InsightFilter['retention_type'] })} />
        <div className="field">
          <label htmlFor={`${id}-returning`}>Came back to do</label>
          <input id={`${id}-returning`} list={`${id}-events`} value={filter.returning_entity?.id ?? ''} onChange={(e) => set({ returning_entity: entity(e.target.value) })} />
        </div>
        <SelectField label="Period" value={filter.period ?? 'Day'} options={periods} onChange={(period) => set({ period: period as InsightFilter['period'] })} />
        <div className="field">
          <label htmlFor={`${id}-count`}>Periods</label>
          <input id={`${id}-count`} type="number" min={2} max={100} value={filter.total_intervals ?? 11} onChange={(e) => set({ total_intervals: Math.min(100, Math.max(2, Number(e.target.value) || 11)) })} />
        </div>
      </div>
    </>
  );
}
