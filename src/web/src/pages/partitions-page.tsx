import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { ErrorNotice, Loading } from '../components/status.tsx';

interface PartitionEntry { table: string; level: number; leaf: boolean; holds: string; from: string | null; to: string | null; isDefault: boolean; rows: number; bytes: number }
interface PartitionStatus {
  description: string;
  generation: number;
  weeksAhead: number;
  retainWeeks: number | null;
  conversion: { to: unknown; startedAt?: string; unfinished: boolean; running: boolean } | null;
  tables: PartitionEntry[];
  rows: number;
  bytes: number;
  rowsExact: boolean;
}

const count = new Intl.NumberFormat();
function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** What `sounder partition status` prints, for the install's admins: the layout and every table with its size. */
export function PartitionsPage() {
  const status = useQuery({ queryKey: ['partitions'], queryFn: () => api<PartitionStatus>('/api/instance/partitions') });
  if (status.isError) return <ErrorNotice error={status.error} onRetry={() => status.refetch()} />;
  if (!status.data) return <Loading what="partitions" />;
  const { data } = status;
  const approx = data.rowsExact ? '' : '~';
  return (
    <>
      <div className="page-head"><h1>Partitions</h1></div>
      <section className="card">
        <dl className="facts">
          <dt>Layout</dt><dd data-testid="partition-layout">{data.description}</dd>
          <dt>Generation</dt><dd>{data.generation}</dd>
          <dt>Weeks kept ahead</dt><dd>{data.weeksAhead}</dd>
          <dt>Retention</dt><dd>{data.retainWeeks === null ? 'keep everything' : `${data.retainWeeks} weeks`}</dd>
          <dt>Events</dt><dd>{approx}{count.format(data.rows)} rows, {size(data.bytes)}</dd>
          {data.conversion?.unfinished && <><dt>Conversion</dt><dd>{data.conversion.running ? 'running' : 'interrupted: run sounder partition again to finish or roll it back'}</dd></>}
        </dl>
        <p className="muted">The events table of the whole install, shared by every project. Change it with <code>sounder partition</code> on the server; see <code>sounder partition --help</code>.{data.rowsExact ? '' : ' Row counts are the planner’s estimates (sounder partition status --exact counts them).'}</p>
      </section>
      <div className="table-wrap">
        <table className="data partitions">
          <thead><tr><th scope="col">Table</th><th scope="col">Holds</th><th scope="col">Rows</th><th scope="col">Size</th></tr></thead>
          <tbody>
            {data.tables.map((entry) => (
              <tr key={entry.table}>
                <td style={{ paddingLeft: `${0.75 + entry.level * 1.25}rem` }}><code>{entry.table}</code></td>
                <td>{entry.holds}</td>
                <td>{entry.leaf ? `${approx}${count.format(entry.rows)}` : ''}</td>
                <td>{size(entry.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
