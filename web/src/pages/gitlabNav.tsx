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

// What the OAuth callback reported when it sent the browser back here.
export function oauthOutcome(query: URLSearchParams): { ok: boolean; message: string } | null {
  const error = query.get('error');
  if (error) {
    const description = query.get('error_description') ?? query.get('detail');
    const message =
      error === 'access_denied'
        ? 'GitLab authorization was cancelled, so nothing was connected.'
        : `GitLab did not complete the authorization (${description ?? error}).`;
    return { ok: false, message };
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
