import type { FunnelStep } from '../api/insights.ts';

export interface FunnelPoint { step: number; label: string; breakdownValue?: string }

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** One funnel as bars: how many reached each step, the conversion so far, and who dropped off. */
function FunnelBars({ steps, onPoint, title }: { steps: FunnelStep[]; onPoint?: (point: FunnelPoint) => void; title?: string }) {
  const first = steps[0]?.count ?? 0;
  return (
    <div className="funnel">
      {title && <h3>{title}</h3>}
      <ol>
        {steps.map((step, index) => (
          <li key={index} className="funnel-step">
            <div className="funnel-label"><span className="badge">{index + 1}</span> {step.custom_name ?? step.name}</div>
            <div className="funnel-bar-track">
              <div className="funnel-bar" style={{ width: `${first ? (step.count / first) * 100 : 0}%` }} />
            </div>
            <div className="funnel-numbers">
              <button type="button" className="link" disabled={!onPoint} onClick={() => onPoint?.({ step: index + 1, label: `Reached step ${index + 1}: ${step.name}`, breakdownValue: step.breakdown_value })}>
                {step.count} {step.count === 1 ? 'person' : 'persons'}
              </button>
              <span>{percent.format(step.conversion_rate)} of first step</span>
              {index > 0 && <>
                <span>{percent.format(step.step_conversion_rate)} from previous</span>
                <button type="button" className="link danger-text" disabled={!onPoint || step.dropped_off === 0} onClick={() => onPoint?.({ step: -(index + 1), label: `Dropped off before step ${index + 1}: ${step.name}`, breakdownValue: step.breakdown_value })}>
                  {step.dropped_off} dropped off
                </button>
                <span className="muted">median time {duration(step.median_conversion_time)}</span>
              </>}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Without a breakdown the result is one list of steps; with one, a list per breakdown value. */
export function FunnelView({ result, onPoint }: { result: FunnelStep[] | FunnelStep[][]; onPoint?: (point: FunnelPoint) => void }) {
  if (result.length === 0) return <p className="muted">No data for this range.</p>;
  if (Array.isArray(result[0])) {
    return <>{(result as FunnelStep[][]).map((steps, index) => <FunnelBars key={index} steps={steps} onPoint={onPoint} title={String(steps[0]?.breakdown_value ?? '')} />)}</>;
  }
  return <FunnelBars steps={result as FunnelStep[]} onPoint={onPoint} />;
}
