import { Link } from 'wouter';
import type { DashboardTile, TileLayout } from '../pages/dashboard-types.ts';
import { InsightView } from './insight-view.tsx';
import { TimeAgo } from './time-ago.tsx';

export const orderedTiles = (tiles: DashboardTile[]) =>
  [...tiles].sort((a, b) => (a.layout.position ?? a.id) - (b.layout.position ?? b.id));

interface EditProps { onLayout: (tile: DashboardTile, layout: TileLayout) => void; onMove: (tile: DashboardTile, by: -1 | 1) => void; onRemove: (tile: DashboardTile) => void }

/** Tiles in a two-column grid (one on a phone); a wide tile spans both. Editing is for members, not share links. */
export function DashboardTiles({ tiles, projectId, edit }: { tiles: DashboardTile[]; projectId?: string; edit?: EditProps }) {
  return (
    <div className="tiles">
      {orderedTiles(tiles).map((tile, index, all) => (
        <section key={tile.id} className={`card tile${tile.layout.wide ? ' wide' : ''}`} aria-label={tile.insight.name || 'Untitled'}>
          <div className="tile-head">
            <h2>{projectId ? <Link href={`/insights/${tile.insight.id}`}>{tile.insight.name || 'Untitled'}</Link> : tile.insight.name || 'Untitled'}</h2>
            {edit && (
              <span className="inline tile-actions">
                <button type="button" className="link" aria-label="Move earlier" disabled={index === 0} onClick={() => edit.onMove(tile, -1)}>↑</button>
                <button type="button" className="link" aria-label="Move later" disabled={index === all.length - 1} onClick={() => edit.onMove(tile, 1)}>↓</button>
                <button type="button" className="link" onClick={() => edit.onLayout(tile, { ...tile.layout, wide: !tile.layout.wide })}>{tile.layout.wide ? 'Narrow' : 'Wide'}</button>
                <button type="button" className="link danger-text" onClick={() => edit.onRemove(tile)}>Remove</button>
              </span>
            )}
          </div>
          <InsightView filter={tile.insight.filters} result={tile.insight.result} projectId={projectId} />
          <p className="muted small-print">Computed <TimeAgo iso={tile.insight.last_refresh} /></p>
        </section>
      ))}
    </div>
  );
}
