import { useEffect } from 'preact/hooks';
import type { Project } from '../api';
import { TabNav } from '../components/ui';

export const gitlabCrumbs = [{ label: 'Apps', href: '/apps' }];

export function GitLabTabs({ current }: { current: string }) {
  return (
    <TabNav
      label="GitLab integration"
      current={current}
      tabs={[
        { label: 'Organization', href: '/apps/gitlab/organization' },
        { label: 'Projects', href: '/apps/gitlab/projects' },
      ]}
    />
  );
}

// What the OAuth callback reported when it sent the browser back here, and what to do next.
export function oauthOutcome(query: URLSearchParams): { ok: boolean; message: string } | null {
  const error = query.get('error');
  if (error) {
    const description = query.get('error_description') ?? query.get('detail');
    const said = description ? ` GitLab said: ${description}.` : '';
    const next: Record<string, string> = {
      access_denied: 'GitLab authorization was cancelled, so nothing was connected. Connect again when you are ready.',
      token_exchange_failed: `GitLab refused worklog's request for access.${said} Check that the application ID and secret match the application in GitLab and that its redirect URI is exactly the one shown here, then connect again.`,
      invalid_request: `GitLab sent no authorization.${said} Connect again; if it keeps failing, check the application's redirect URI and scopes in GitLab.`,
      invalid_grant: `GitLab no longer accepts this authorization.${said} Connect again.`,
      gitlab_error: `worklog could not read the GitLab account that authorized it.${said} Check that GitLab is reachable from the worklog server, then connect again.`,
      already_connected: `${description ?? 'That GitLab account is already connected to another worklog user'}. Sign in to GitLab as your own account, then connect again.`,
      not_installed: 'The GitLab integration is not installed (any more). Ask an administrator to install it on the Apps page.',
      server_error: `The sign-in could not be completed.${said} Start again from this page.`,
    };
    return { ok: false, message: next[error] ?? `GitLab did not complete the authorization (${description ?? error}). Start again from this page.` };
  }
  if (query.get('connected') !== null || query.get('status') === 'connected') return { ok: true, message: 'GitLab is connected.' };
  return null;
}

// The history import that runs after the organization connects, in percent of the
// monitored projects whose backfill is done. Looks again every 2 s until it is complete.
export function BackfillProgress({ projects, onPoll }: { projects: Project[] | undefined; onPoll: () => void }) {
  const monitored = (projects ?? []).filter((p) => p.monitored);
  const known = monitored.some((p) => typeof p.backfilled === 'boolean');
  const done = monitored.filter((p) => p.backfilled).length;
  const complete = !known || done === monitored.length;
  useEffect(() => {
    if (complete) return;
    const timer = window.setTimeout(onPoll, 2000);
    return () => window.clearTimeout(timer);
  }, [complete, done, projects, onPoll]);
  if (!projects || !known || monitored.length === 0) return null;
  const percent = Math.round((100 * done) / monitored.length);
  return (
    <div class="backfill" aria-live="polite">
      <label for="backfill-progress">
        {complete
          ? `GitLab history imported: 100% (${monitored.length} of ${monitored.length} monitored projects).`
          : `Importing GitLab history: ${percent}% (${done} of ${monitored.length} monitored projects)…`}
      </label>
      <progress id="backfill-progress" max={monitored.length} value={done} />
    </div>
  );
}
