import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { authStateKey, useAuthState } from '../api/auth.ts';
import { patch } from '../api/client.ts';
import { useProject, useProjectId } from '../api/project.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field } from '../components/field.tsx';
import { InstallSnippets } from '../components/install-snippets.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import { MembersSection } from './members-section.tsx';
import { PersonalApiKeysSection } from './personal-api-keys-section.tsx';

/** Everything about one project: its token and snippets, name and time zone, keys, and who is in it. */
export function SettingsPage() {
  const projectId = useProjectId();
  const project = useProject();
  const auth = useAuthState();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', timezone: '', anonymize_ips: false });
  const [saved, setSaved] = useState<unknown>();
  useEffect(() => {
    if (project.data) setForm({ name: project.data.name, timezone: project.data.timezone, anonymize_ips: project.data.anonymize_ips });
  }, [project.data]);

  if (project.isPending) return <Loading what="settings" />;
  if (project.isError) return <ErrorNotice error={project.error} />;
  const organization = auth.data?.organizations.find((org) => org.projects.some((p) => String(p.id) === projectId));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await patch(`/api/projects/${projectId}`, form);
      setSaved('saved');
      await queryClient.invalidateQueries({ queryKey: ['project', projectId] });
      await queryClient.invalidateQueries({ queryKey: authStateKey });
    } catch (error) {
      setSaved(error);
    }
  };

  return (
    <>
      <div className="page-head"><h1>Project settings</h1></div>
      <section className="card">
        <h2>Project API token</h2>
        <p className="muted">Public: it goes in your site's code and only lets clients send events and read flags.</p>
        <div className="token-row"><code data-testid="api-token">{project.data.api_token}</code><CopyButton text={project.data.api_token} label="Copy token" /></div>
        <h2>Install</h2>
        <InstallSnippets token={project.data.api_token} />
      </section>
      <section className="card">
        <h2>General</h2>
        <form onSubmit={save} className="stack">
          <Field label="Project name" value={form.name} onChange={(name) => setForm({ ...form, name })} required />
          <Field label="Time zone" value={form.timezone} onChange={(timezone) => setForm({ ...form, timezone })} hint="An IANA name such as Europe/Berlin: insights' days begin at its midnight." required />
          <label className="toggle"><input type="checkbox" checked={form.anonymize_ips} onChange={(e) => setForm({ ...form, anonymize_ips: e.target.checked })} /> Anonymize IPs: store no <code>$ip</code> on new events</label>
          {saved instanceof Error ? <ErrorNotice error={saved} /> : saved === 'saved' && <p className="notice ok" role="status">Saved.</p>}
          <button type="submit">Save</button>
        </form>
      </section>
      <PersonalApiKeysSection projectId={projectId} />
      {organization && <MembersSection organization={organization} />}
    </>
  );
}
