import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useResetSession } from '../api/auth.ts';
import { post } from '../api/client.ts';
import { ErrorNotice } from '../components/status.tsx';
import { Field } from '../components/field.tsx';

/** The first visitor of a new install creates the admin account. */
export function SetupPage() {
  const [form, setForm] = useState({ name: '', email: '', password: '', organization_name: '' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const resetSession = useResetSession();
  const [, navigate] = useLocation();
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const { csrf_token } = await post<{ csrf_token: string }>('/api/auth/signup', { ...form, organization_name: form.organization_name || undefined });
      await resetSession(csrf_token);
      navigate('/');
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card auth" onSubmit={submit}>
        <h1>Welcome to Sounder</h1>
        <p className="muted">Create the admin account. You can invite your team afterwards.</p>
        <Field label="Your name" value={form.name} onChange={set('name')} autoComplete="name" />
        <Field label="Email" type="email" value={form.email} onChange={set('email')} autoComplete="email" required />
        <Field label="Password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" required minLength={8} hint="At least 8 characters." />
        <Field label="Organization" value={form.organization_name} onChange={set('organization_name')} placeholder="My organization" />
        {error !== undefined && <ErrorNotice error={error} />}
        <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create account'}</button>
      </form>
    </main>
  );
}
