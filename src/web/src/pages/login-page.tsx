import { useState, type FormEvent } from 'react';
import { useResetSession } from '../api/auth.ts';
import { post } from '../api/client.ts';
import { Field } from '../components/field.tsx';
import { ErrorNotice } from '../components/status.tsx';

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const resetSession = useResetSession();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const { csrf_token } = await post<{ csrf_token: string }>('/api/auth/login', { email, password });
      // The app sends a logged-in user on from /login to where they were going (`next`).
      await resetSession(csrf_token);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card auth" onSubmit={submit}>
        <h1>Log in to Sounder</h1>
        <Field label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" required autoFocus />
        <Field label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" required />
        {error !== undefined && <ErrorNotice error={error} />}
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
