// User settings › Applications: the integrations installed on this server and the state of
// the user's own connection to each.
import { api } from '../api';
import { Badge, GitLabIcon, Link, Loading, Notice, PageHeader, TabNav, describePerson, useLoad } from '../components/ui';
import { useSession } from '../session';
import { formatInstant } from '../time';

export function ApplicationsPage() {
  const { user } = useSession();
  const link = user.integrations?.gitlab;
  // Administrators can ask /apps; for everyone, /me says whether GitLab is installed.
  const apps = useLoad(() => (user.role === 'admin' || !link ? api.apps().catch(() => null) : Promise.resolve(null)), [user.role]);
  const installed = link ? link.installed !== false : Boolean(apps.data?.find((a) => a.key === 'gitlab')?.installed);
  const by = link?.connected_by && link.connected_by !== 'self' && link.connected_by !== user.id ? describePerson(link.connected_by_name ?? link.connected_by) : '';
  return (
    <>
      <PageHeader title="User settings" />
      <TabNav label="User settings" current="/user-settings/applications" tabs={[{ label: 'Applications', href: '/user-settings/applications' }]} />
      <section class="tab-panel" aria-labelledby="applications-heading">
        <h2 id="applications-heading" class="h3">
          Applications
        </h2>
        <dl class="facts profile">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Time zone</dt>
          <dd>{user.timezone}</dd>
        </dl>
        {apps.loading && !link ? (
          <Loading label="Loading applications…" />
        ) : !installed ? (
          <Notice kind="info">No applications are installed on this worklog server yet.</Notice>
        ) : (
          <ul class="app-list">
            <li class="card app-row">
              <span class="tile-logo tile-logo-gitlab">
                <GitLabIcon size={24} />
              </span>
              <div class="app-row-text">
                <h3 class="h4">GitLab integration</h3>
                {link?.connected ? (
                  <p>
                    Connected{link.username ? ` as @${link.username}` : ''}
                    {by ? `, connected by ${by}` : ''}
                    {link.connected_at ? ` on ${formatInstant(link.connected_at, user.timezone)}` : ''}.
                  </p>
                ) : link?.organization_status && link.organization_status !== 'connected' ? (
                  <p>Your organization is not connected to GitLab yet.</p>
                ) : (
                  <p>
                    Not connected. <Link href="/my-work">Connect GitLab in My Work</Link> to see your GitLab work in the Activity Feed.
                  </p>
                )}
              </div>
              {link?.connected ? <Badge tone="success">Connected</Badge> : <Badge>Not connected</Badge>}
            </li>
          </ul>
        )}
      </section>
    </>
  );
}
