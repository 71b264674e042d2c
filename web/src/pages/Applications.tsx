// User settings › Applications: the integrations installed on this server and the state of
// the user's own connection to each.
import { api } from '../api';
import { Badge, ErrorNotice, GitLabIcon, Link, Loading, Notice, PageHeader, TabNav, describePerson, useLoad } from '../components/ui';
import { useSession } from '../session';
import { formatInstant } from '../time';

export function ApplicationsPage() {
  const { user } = useSession();
  const integrations = useLoad(api.myIntegrations, []);
  const link = integrations.data?.find((i) => i.key === 'gitlab');
  const by = link?.connected_by && link.connected_by !== 'self' ? describePerson(link.connected_by_name ?? link.connected_by) : '';
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
        <ErrorNotice error={integrations.error} action="Loading applications" />
        {integrations.loading && !integrations.data ? (
          <Loading label="Loading applications…" />
        ) : integrations.data && !link ? (
          <Notice kind="info">No applications are installed on this worklog server yet.</Notice>
        ) : (
          link && (
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
                ) : (
                  <p>
                    Not connected. <Link href="/my-work">Connect GitLab in My Work</Link> to see your GitLab work in the Activity Feed.
                  </p>
                )}
              </div>
              {link?.connected ? <Badge tone="success">Connected</Badge> : <Badge>Not connected</Badge>}
            </li>
          </ul>
          )
        )}
      </section>
    </>
  );
}
