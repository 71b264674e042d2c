// The shell: sign-in gate, sidebar navigation, and the page for the current route.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { Briefcase, LayoutGrid, LogOut, UserCog, Users } from 'lucide-preact';
import { api, setCsrfToken, setUnauthorizedHandler, type User } from './api';
import { Link, Loading, Notice } from './components/ui';
import { navigate, useLocation } from './router';
import { SessionContext } from './session';
import { SignIn } from './pages/SignIn';
import { AppsPage } from './pages/Apps';
import { GitLabOrganizationPage } from './pages/GitLabOrganization';
import { GitLabProjectsPage } from './pages/GitLabProjects';
import { ManageStaffPage } from './pages/ManageStaff';
import { MyWorkPage } from './pages/MyWork';
import { ApplicationsPage } from './pages/Applications';

type Auth = { state: 'loading' } | { state: 'signed-out'; reason?: string } | { state: 'signed-in'; user: User };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const location = useLocation();

  const refresh = useCallback(async () => {
    try {
      const user = await api.me();
      setAuth({ state: 'signed-in', user });
    } catch {
      setAuth({ state: 'signed-out' });
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setAuth({ state: 'signed-out', reason: 'Your session has ended. Sign in again to continue.' });
    });
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (auth.state !== 'signed-in') return;
    if (location.path === '/' || location.path === '/sign-in') navigate(location.query.get('next') || '/my-work', { replace: true });
  }, [auth, location.path]);

  if (auth.state === 'loading') {
    return (
      <main class="container centered">
        <Loading label="Starting worklog…" />
      </main>
    );
  }
  if (auth.state === 'signed-out') {
    return (
      <SignIn
        reason={auth.reason}
        onSignedIn={(user) => {
          setAuth({ state: 'signed-in', user });
          void refresh();
        }}
      />
    );
  }
  const user = auth.user;
  return (
    <SessionContext.Provider value={{ user, refresh }}>
      <Shell user={user} path={location.path} onSignedOut={() => setAuth({ state: 'signed-out', reason: 'You have signed out.' })}>
        <Page path={location.path} />
      </Shell>
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  switch (path) {
    case '/apps':
      return <AppsPage />;
    case '/apps/gitlab':
    case '/apps/gitlab/organization':
      return <GitLabOrganizationPage />;
    case '/apps/gitlab/projects':
      return <GitLabProjectsPage />;
    case '/settings/staff':
      return <ManageStaffPage />;
    case '/my-work':
      return <MyWorkPage />;
    case '/user-settings':
    case '/user-settings/applications':
      return <ApplicationsPage />;
    case '/':
    case '/sign-in':
      return <Loading />;
    default:
      return (
        <Notice kind="info" title="There is no page here.">
          The address may be mistyped or out of date. <Link href="/my-work">Go to My Work</Link>
        </Notice>
      );
  }
}

function Shell({ user, path, onSignedOut, children }: { user: User; path: string; onSignedOut: () => void; children: preact.ComponentChildren }) {
  const [signingOut, setSigningOut] = useState(false);
  const isAdmin = user.role === 'admin';
  const here = (prefix: string) => (path === prefix || path.startsWith(`${prefix}/`) ? 'page' : undefined);
  const signOut = async () => {
    setSigningOut(true);
    try {
      await api.signOut();
    } catch {
      // Signed out or not, forget this session here.
    }
    setCsrfToken(null);
    onSignedOut();
  };
  return (
    <div class="layout">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <aside class="sidebar">
        <div class="brand">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <circle cx="16" cy="16" r="9" fill="none" stroke="#fff" stroke-width="2.5" />
            <path d="M16 10v6l4 3" fill="none" stroke="#fff" stroke-width="2.5" stroke-linecap="round" />
          </svg>
          <span>worklog</span>
        </div>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/my-work" aria-current={here('/my-work')}>
                <Briefcase aria-hidden="true" />
                My Work
              </Link>
            </li>
            {isAdmin && (
              <li>
                <Link href="/apps" aria-current={here('/apps')}>
                  <LayoutGrid aria-hidden="true" />
                  Apps
                </Link>
              </li>
            )}
            {isAdmin && (
              <li class="nav-group">
                <span class="nav-group-label" id="nav-settings">
                  Settings
                </span>
                <ul aria-labelledby="nav-settings">
                  <li>
                    <Link href="/settings/staff" aria-current={here('/settings/staff')}>
                      <Users aria-hidden="true" />
                      Manage Staff
                    </Link>
                  </li>
                </ul>
              </li>
            )}
          </ul>
        </nav>
        <div class="sidebar-user">
          <div class="who">
            <strong>{user.name}</strong>
            <small>{user.email}</small>
          </div>
          <Link href="/user-settings/applications" aria-current={here('/user-settings')} class="sidebar-link">
            <UserCog aria-hidden="true" />
            User settings
          </Link>
          <button type="button" class="ghost sidebar-link" onClick={signOut} aria-busy={signingOut ? 'true' : undefined} disabled={signingOut}>
            <LogOut aria-hidden="true" />
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
