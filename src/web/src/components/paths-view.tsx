import { useMemo } from 'react';
import type { PathEdge } from '../api/insights.ts';
import { LazyChart } from './lazy-chart.tsx';

// The engine names each node `<step>_<item>`, so the same page at two steps stays two nodes
// and the graph has no cycles, which a Sankey diagram needs.
const itemOf = (node: string) => node.slice(node.indexOf('_') + 1);
const stepOf = (node: string) => Number(node.slice(0, node.indexOf('_')));

/** Paths as a Sankey diagram of the most travelled steps, with the top edges listed under it. */
export function PathsView({ result }: { result: PathEdge[] }) {
  const option = useMemo(() => {
    const nodes = [...new Set(result.flatMap((edge) => [edge.source, edge.target]))];
    return {
      tooltip: { trigger: 'item' },
      series: [{
        type: 'sankey',
        left: 8, right: 160, top: 16, bottom: 16,
        nodeAlign: 'left',
        emphasis: { focus: 'adjacency' },
        data: nodes.map((name) => ({ name, depth: stepOf(name) - 1 })),
        links: result.map((edge) => ({ source: edge.source, target: edge.target, value: edge.value })),
        label: { formatter: (params: { name: string }) => itemOf(params.name) },
        lineStyle: { color: 'gradient', opacity: 0.35 },
      }],
    };
  }, [result]);

  if (result.length === 0) return <p className="muted">No paths in this range: send page views (or pick other event types).</p>;
  const top = result.slice(0, 10);
  return (
    <>
      <LazyChart option={option} height={Math.max(320, Math.min(720, new Set(result.map((edge) => edge.target)).size * 28))} label={`Paths diagram of ${result.length} steps`} />
      <div className="table-wrap">
        <table className="data paths">
          <caption>Most travelled steps</caption>
          <thead><tr><th scope="col">Step</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Times</th></tr></thead>
          <tbody>
            {top.map((edge) => (
              <tr key={`${edge.source}→${edge.target}`}>
                <td>{stepOf(edge.source)}</td><td>{itemOf(edge.source)}</td><td>{itemOf(edge.target)}</td><td>{edge.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
