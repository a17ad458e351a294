function show(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Properties sorted by key, PostHog's own (`$…`) after the customer's, values as they are stored. */
export function PropertiesTable({ properties }: { properties: Record<string, unknown> }) {
  const keys = Object.keys(properties).sort((a, b) => Number(a.startsWith('$')) - Number(b.startsWith('$')) || a.localeCompare(b));
  if (keys.length === 0) return <p className="muted">No properties.</p>;
  return (
    <table className="properties">
      <tbody>
        {keys.map((key) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td><code>{show(properties[key])}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
