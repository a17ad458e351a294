import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'wouter';
import { api, patch, post, remove } from '../api/client.ts';
import { useProjectId } from '../api/project.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DashboardTiles, orderedTiles } from '../components/dashboard-tiles.tsx';
import { EmptyState, ErrorNotice, Loading } from '../components/status.tsx';
import type { DashboardTile, DashboardWithTiles, TileLayout } from './dashboard-types.ts';

const refreshChoices = [[0, 'Off'], [60, 'Every minute'], [300, 'Every 5 minutes'], [900, 'Every 15 minutes'], [3600, 'Every hour']] as const;

/** A dashboard: its tiles, their layout, auto-refresh, and a read-only share link. */
export function DashboardPage() {
  const projectId = useProjectId();
  const { dashboardId } = useParams<{ dashboardId: string }>();
  const path = `/api/projects/${projectId}/dashboards/${dashboardId}`;
  const queryClient = useQueryClient();
  const dashboard = useQuery({
    queryKey: ['dashboard', projectId, dashboardId],
    queryFn: () => api<DashboardWithTiles>(path),
    refetchInterval: (query) => (query.state.data?.refresh_seconds ?? 0) * 1000 || false,
  });
  const reload = () => queryClient.invalidateQueries({ queryKey: ['dashboard', projectId, dashboardId] });

  if (dashboard.isPending) return <Loading what="dashboard" />;
  if (dashboard.isError) return <ErrorNotice error={dashboard.error} onRetry={() => dashboard.refetch()} />;
  const data = dashboard.data;
  const shareUrl = data.share_token ? `${window.location.origin}/shared/${data.share_token}` : null;

  const setLayout = async (tile: DashboardTile, layout: TileLayout) => {
    await post(`${path}/tiles`, { insight_id: tile.insight_id, layout });
    await reload();
  };
  const move = async (tile: DashboardTile, by: -1 | 1) => {
    const tiles = orderedTiles(data.tiles);
    const index = tiles.findIndex((t) => t.id === tile.id);
    const other = tiles[index + by];
    if (!other) return;
    [tiles[index], tiles[index + by]] = [other, tile];
    for (const [position, t] of tiles.entries()) await post(`${path}/tiles`, { insight_id: t.insight_id, layout: { ...t.layout, position } });
    await reload();
  };
  const removeTile = async (tile: DashboardTile) => {
    await remove(`${path}/tiles/${tile.id}`);
    await reload();
  };

  return (
    <>
      <div className="page-head">
        <h1>{data.name}</h1>
        <span className="inline">
          <label className="toggle">Auto-refresh
            <select value={data.refresh_seconds ?? 0} onChange={async (e) => { await patch(path, { refresh_seconds: Number(e.target.value) || null }); await reload(); }}>
              {refreshChoices.map(([seconds, text]) => <option key={seconds} value={seconds}>{text}</option>)}
            </select>
          </label>
          <button type="button" className="secondary small" onClick={() => api(`${path}?refresh=true`).then(reload)}>Refresh now</button>
          <button type="button" className="secondary small" onClick={async () => { await post(`${path}/sharing`, { enabled: !data.share_token }); await reload(); }}>
            {data.share_token ? 'Stop sharing' : 'Share'}
          </button>
        </span>
      </div>
      {shareUrl && (
        <div className="notice ok token-row" role="status">
          <span>Anyone with this link can view this dashboard, read-only:</span><code data-testid="share-url">{shareUrl}</code><CopyButton text={shareUrl} label="Copy link" />
        </div>
      )}
      {data.tiles.length === 0
        ? <EmptyState title="This dashboard is empty"><p>Open a saved insight and choose “Add to dashboard”.</p></EmptyState>
        : <DashboardTiles tiles={data.tiles} projectId={projectId} edit={{ onLayout: setLayout, onMove: move, onRemove: removeTile }} />}
    </>
  );
}
