import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useAuthState, useResetSession } from '../api/auth.ts';
import { api, post } from '../api/client.ts';
import { Field } from '../components/field.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';

interface InviteInfo { organization_name: string; email: string; role: string; user_exists: boolean }

/** An invite link: a new member picks a password; someone with an account accepts logged in. */
export function InvitePage() {
  const { token } = useParams<{ token: string }>();
  const auth = useAuthState();
  const invite = useQuery({ queryKey: ['invite', token], queryFn: () => api<InviteInfo>(`/api/invites/${encodeURIComponent(token)}`) });
  const [form, setForm] = useState({ name: '', password: '' });
  const [error, setError] = useState<unknown>();
  const resetSession = useResetSession();
  const [, navigate] = useLocation();

  if (invite.isPending) return <Loading what="invite" />;
  if (invite.isError) return <main className="centered"><div className="card auth"><ErrorNotice error={invite.error} /><Link href="/login">Log in</Link></div></main>;
  const info = invite.data;
  const loggedInAs = auth.data?.user?.email;
  const needsLogin = info.user_exists && loggedInAs?.toLowerCase() !== info.email.toLowerCase();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const body = info.user_exists ? {} : form;
      const { csrf_token } = await post<{ csrf_token: string }>(`/api/invites/${encodeURIComponent(token)}/accept`, body);
      await resetSession(csrf_token);
      navigate('/');
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <main className="centered">
      <form className="card auth" onSubmit={submit}>
        <h1>Join {info.organization_name}</h1>
        <p className="muted">Invited as {info.role}: {info.email}</p>
        {needsLogin
          ? <p>This email already has an account. <Link href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>Log in as {info.email}</Link> to accept.</p>
          : !info.user_exists && <>
            <Field label="Your name" value={form.name} onChange={(name) => setForm({ ...form, name })} autoComplete="name" />
            <Field label="Password" type="password" value={form.password} onChange={(password) => setForm({ ...form, password })} autoComplete="new-password" required minLength={8} hint="At least 8 characters." />
          </>}
        {error !== undefined && <ErrorNotice error={error} />}
        {!needsLogin && <button type="submit">Accept invite</button>}
      </form>
    </main>
  );
}
