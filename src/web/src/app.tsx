import { Redirect, Route, Switch, useLocation } from 'wouter';
import { useAuthState } from './api/auth.ts';
import { ErrorNotice, Loading } from './components/status.tsx';
import { Layout } from './components/layout.tsx';
import { ActionPage } from './pages/action-page.tsx';
import { ActionsPage } from './pages/actions-page.tsx';
import { CohortPage } from './pages/cohort-page.tsx';
import { CohortsPage } from './pages/cohorts-page.tsx';
import { FeatureFlagPage } from './pages/feature-flag-page.tsx';
import { FeatureFlagsPage } from './pages/feature-flags-page.tsx';
import { PartitionsPage } from './pages/partitions-page.tsx';
import { DashboardPage } from './pages/dashboard-page.tsx';
import { DashboardsPage } from './pages/dashboards-page.tsx';
import { EventsPage } from './pages/events-page.tsx';
import { InsightPage } from './pages/insight-page.tsx';
import { InsightsPage } from './pages/insights-page.tsx';
import { SharedDashboardPage } from './pages/shared-dashboard-page.tsx';
import { InvitePage } from './pages/invite-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { PersonPage } from './pages/person-page.tsx';
import { PersonsPage } from './pages/persons-page.tsx';
import { SettingsPage } from './pages/settings-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';

/** Who may see what: a new install goes to set-up, a visitor to log in, a member to their project. */
export function App() {
  const auth = useAuthState();
  const [location] = useLocation();
  if (auth.isPending) return <Loading what="Sounder" />;
  if (auth.isError) return <main className="centered"><ErrorNotice error={auth.error} /></main>;
  const state = auth.data;

  if (location.startsWith('/invite/')) return <Route path="/invite/:token" component={InvitePage} />;
  if (location.startsWith('/shared/')) return <Route path="/shared/:token" component={SharedDashboardPage} />;
  if (state.setup_required) return location === '/setup' ? <SetupPage /> : <Redirect to="/setup" replace />;
  if (!state.user) {
    if (location === '/login') return <LoginPage />;
    return <Redirect to={`/login?next=${encodeURIComponent(location)}`} replace />;
  }
  if (location === '/login' || location === '/setup') {
    const next = new URLSearchParams(window.location.search).get('next');
    return <Redirect to={next?.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
  }
  const firstProject = state.organizations.flatMap((org) => org.projects)[0];
  return (
    <Switch>
      <Route path="/project/:projectId" nest>
        <Layout state={state}>
          <Switch>
            <Route path="/events" component={EventsPage} />
            <Route path="/persons" component={PersonsPage} />
            <Route path="/persons/:personId" component={PersonPage} />
            <Route path="/insights" component={InsightsPage} />
            <Route path="/insights/new/:kind" component={InsightPage} />
            <Route path="/insights/:insightId" component={InsightPage} />
            <Route path="/dashboards" component={DashboardsPage} />
            <Route path="/dashboards/:dashboardId" component={DashboardPage} />
            <Route path="/actions" component={ActionsPage} />
            <Route path="/actions/new" component={ActionPage} />
            <Route path="/actions/:actionId" component={ActionPage} />
            <Route path="/cohorts" component={CohortsPage} />
            <Route path="/cohorts/new" component={CohortPage} />
            <Route path="/cohorts/:cohortId" component={CohortPage} />
            <Route path="/feature_flags" component={FeatureFlagsPage} />
            <Route path="/feature_flags/new" component={FeatureFlagPage} />
            <Route path="/feature_flags/:flagId" component={FeatureFlagPage} />
            <Route path="/settings" component={SettingsPage} />
            {state.instance_admin && <Route path="/partitions" component={PartitionsPage} />}
            <Route><Redirect to="/events" replace /></Route>
          </Switch>
        </Layout>
      </Route>
      <Route>
        {firstProject
          ? <Redirect to={`/project/${firstProject.id}/events`} replace />
          : <main className="centered"><p>You are not in any project yet. Ask an admin of your organization to invite you.</p></main>}
      </Route>
    </Switch>
  );
}
