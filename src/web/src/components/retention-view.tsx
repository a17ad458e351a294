import type { RetentionCohort } from '../api/insights.ts';

export interface RetentionPoint { cohort: number; period: number; label: string }

// Cohorts are named by the day (or hour) they started; midnight is left out.
const cohortName = (cohort: RetentionCohort) => cohort.date.slice(0, 16).replace('T', ' ').replace(/ 00:00$/, '');
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** The cohort table as a heat map: each cell the share of its cohort that came back that period. */
export function RetentionView({ result, onPoint }: { result: RetentionCohort[]; onPoint?: (point: RetentionPoint) => void }) {
  if (result.length === 0 || result.every((cohort) => (cohort.values[0]?.count ?? 0) === 0)) {
    return <p className="muted">No one did the start event in this range.</p>;
  }
  const periods = Math.max(...result.map((cohort) => cohort.values.length));
  return (
    <div className="table-wrap">
      <table className="data retention">
        <thead>
          <tr>
            <th scope="col">Cohort</th>
            <th scope="col">Persons</th>
            {Array.from({ length: periods }, (_, period) => <th key={period} scope="col">{period === 0 ? 'Start' : `+${period}`}</th>)}
          </tr>
        </thead>
        <tbody>
          {result.map((cohort, row) => {
            const size = cohort.values[0]?.count ?? 0;
            return (
              <tr key={cohort.date}>
                <th scope="row">{cohortName(cohort)}</th>
                <td>{size}</td>
                {cohort.values.map((cell, period) => {
                  const share = size ? cell.count / size : 0;
                  const label = `Cohort of ${cohortName(cohort)}, period ${period}: ${cell.count} of ${size}`;
                  return (
                    <td key={period} className="heat" style={{ background: `rgba(79, 70, 229, ${0.08 + share * 0.85})`, color: share > 0.5 ? '#fff' : undefined }}>
                      <button type="button" className="link cell" aria-label={label} title={label} disabled={!onPoint || cell.count === 0} onClick={() => onPoint?.({ cohort: row, period, label })}>
                        {size ? percent.format(share) : '–'}
                      </button>
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
