import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post, remove } from '../api/client.ts';
import type { PersonalApiKey } from '../api/types.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field } from '../components/field.tsx';
import { ErrorNotice } from '../components/status.tsx';
import { TimeAgo } from '../components/time-ago.tsx';

/** Keys for the REST API: shown once when made, listed by prefix, revoked for good. */
export function PersonalApiKeysSection({ projectId }: { projectId: string }) {
  const path = `/api/projects/${projectId}/personal_api_keys`;
  const keys = useQuery({ queryKey: ['keys', projectId], queryFn: () => api<{ results: PersonalApiKey[] }>(path) });
  const queryClient = useQueryClient();
  const [label, setLabel] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<unknown>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['keys', projectId] });

  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const key = await post<{ key: string }>(path, { label, scopes: readOnly ? ['read'] : ['read', 'write'] });
      setCreated(key.key);
      setLabel('');
      setError(undefined);
      await refresh();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (key: PersonalApiKey) => {
    if (!window.confirm(`Revoke “${key.label || key.key_prefix}”? Anything using it stops working.`)) return;
    await remove(`${path}/${key.id}`).catch(setError);
    await refresh();
  };

  return (
    <section className="card">
      <h2>Personal API keys</h2>
      <p className="muted">For scripts and the REST API (<code>Authorization: Bearer phx_…</code>). Only a hash is stored: copy a new key now.</p>
      {created && <div className="notice ok token-row" role="status"><code data-testid="new-key">{created}</code><CopyButton text={created} /></div>}
      <form className="inline" onSubmit={create}>
        <Field label="Label" value={label} onChange={setLabel} placeholder="e.g. nightly export" />
        <label className="toggle"><input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> Read only</label>
        <button type="submit">Create key</button>
      </form>
      {(error !== undefined || keys.isError) && <ErrorNotice error={error ?? keys.error} />}
      {keys.data && keys.data.results.length > 0 && (
        <div className="table-wrap">
          <table className="data">
            <thead><tr><th scope="col">Label</th><th scope="col">Key</th><th scope="col">Scopes</th><th scope="col" className="wide-only">Last used</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {keys.data.results.map((key) => (
                <tr key={key.id}>
                  <td>{key.label || <span className="muted">unnamed</span>}</td>
                  <td><code>{key.key_prefix}…</code></td>
                  <td>{key.scopes.join(', ')}</td>
                  <td className="wide-only">{key.last_used_at ? <TimeAgo iso={key.last_used_at} /> : 'never'}</td>
                  <td><button type="button" className="danger small" onClick={() => revoke(key)}>Revoke</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
