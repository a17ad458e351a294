import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post, remove } from '../api/client.ts';
import type { Invite, Member, Organization } from '../api/types.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field } from '../components/field.tsx';
import { ErrorNotice } from '../components/status.tsx';

/** The organisation's members; admins invite by link and remove people. */
export function MembersSection({ organization }: { organization: Organization }) {
  const base = `/api/organizations/${organization.id}`;
  const isAdmin = organization.role === 'admin';
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: ['members', organization.id], queryFn: () => api<{ results: Member[] }>(`${base}/members`) });
  const invites = useQuery({ queryKey: ['invites', organization.id], queryFn: () => api<{ results: Invite[] }>(`${base}/invites`), enabled: isAdmin });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<unknown>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['invites', organization.id] });

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const created = await post<{ path: string }>(`${base}/invites`, { email, role });
      setLink(`${window.location.origin}${created.path}`);
      setEmail('');
      setError(undefined);
      await refresh();
    } catch (caught) {
      setError(caught);
    }
  };
  const removeMember = async (member: Member) => {
    if (!window.confirm(`Remove ${member.email} from ${organization.name}?`)) return;
    await remove(`${base}/members/${member.user_id}`).catch(setError);
    await queryClient.invalidateQueries({ queryKey: ['members', organization.id] });
  };

  return (
    <section className="card">
      <h2>Members of {organization.name}</h2>
      {members.data && (
        <ul className="plain members">
          {members.data.results.map((member) => (
            <li key={member.user_id}>
              <span>{member.name || member.email} <span className="muted">{member.email} · {member.role}</span></span>
              {isAdmin && member.role !== 'admin' && <button type="button" className="danger small" onClick={() => removeMember(member)}>Remove</button>}
            </li>
          ))}
        </ul>
      )}
      {isAdmin && (
        <>
          <form className="inline" onSubmit={invite}>
            <Field label="Invite by email" type="email" value={email} onChange={setEmail} required />
            <label className="field">Role
              <select value={role} onChange={(e) => setRole(e.target.value as 'member' | 'admin')}><option value="member">member</option><option value="admin">admin</option></select>
            </label>
            <button type="submit">Create invite link</button>
          </form>
          {link && <div className="notice ok token-row" role="status"><code>{link}</code><CopyButton text={link} label="Copy link" /></div>}
          {invites.data && invites.data.results.filter((i) => !i.accepted_at).length > 0 && (
            <p className="muted">Open invites: {invites.data.results.filter((i) => !i.accepted_at).map((i) => i.email).join(', ')}</p>
          )}
        </>
      )}
      {(error !== undefined || members.isError) && <ErrorNotice error={error ?? members.error} />}
    </section>
  );
}
