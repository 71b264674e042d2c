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
