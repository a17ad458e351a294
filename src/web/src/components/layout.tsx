import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useResetSession } from '../api/auth.ts';
import { post } from '../api/client.ts';
import type { AuthState } from '../api/types.ts';
import { ErrorBoundary } from './error-boundary.tsx';

const sections = [
  { path: '/events', label: 'Live events' },
  { path: '/persons', label: 'Persons' },
  { path: '/insights', label: 'Insights' },
  { path: '/dashboards', label: 'Dashboards' },
  { path: '/actions', label: 'Actions' },
  { path: '/cohorts', label: 'Cohorts' },
  { path: '/feature_flags', label: 'Feature flags' },
  { path: '/settings', label: 'Settings' },
];
const adminSections = [{ path: '/partitions', label: 'Partitions' }];

/** The frame of every project page: navigation, project switcher, who is logged in. */
export function Layout({ state, children }: { state: AuthState; children: ReactNode }) {
  const { projectId } = useParams<{ projectId: string }>();
  const [location, navigate] = useLocation();
  const resetSession = useResetSession();
  const projects = state.organizations.flatMap((org) => org.projects.map((project) => ({ ...project, organization: org.name })));
  const current = projects.find((project) => String(project.id) === projectId);

  const logOut = async () => {
    await post('/api/auth/logout').catch(() => undefined);
    await resetSession(null);
    navigate('~/login');
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand" aria-label="Sounder">◉ Sounder</span>
        <label className="project-switcher">
          <span className="visually-hidden">Project</span>
          <select value={projectId} onChange={(event) => navigate(`~/project/${event.target.value}${location}`)}>
            {projects.map((project) => <option key={project.id} value={project.id}>{project.name}</option>)}
          </select>
        </label>
        <span className="user" title={state.user?.email}>{state.user?.name || state.user?.email}</span>
        <button type="button" className="secondary small" onClick={logOut}>Log out</button>
      </header>
      <nav className="sidebar" aria-label="Sections">
        {[...sections, ...(state.instance_admin ? adminSections : [])].map((section) => (
          <Link key={section.path} href={section.path} className={(active) => (active || location.startsWith(`${section.path}/`) ? 'active' : '')}>
            {section.label}
          </Link>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <ErrorBoundary resetKey={location}>{current ? children : <p>Project {projectId} is not one of yours.</p>}</ErrorBoundary>
      </main>
    </div>
  );
}
