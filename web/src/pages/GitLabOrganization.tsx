// Apps › GitLab › Organization: connect the organization to GitLab (OAuth), see who
// connected it, re-authorize it, or disconnect it.
import { useState } from 'preact/hooks';
import { api, type Organization } from '../api';
import {
  AdminOnly,
  Badge,
  Button,
  CopyField,
  Dialog,
  ErrorNotice,
  Field,
  fieldError,
  GitLabIcon,
  Link,
  Loading,
  Notice,
  PageHeader,
  describePerson,
  useAction,
  useLoad,
} from '../components/ui';
import { useLocation } from '../router';
import { useSession } from '../session';
import { formatInstant } from '../time';
import { FeedSettingsCard } from './FeedSettingsCard';
import { BackfillProgress, GitLabTabs, gitlabCrumbs, oauthOutcome } from './gitlabNav';

export const REDIRECT_PATH = '/apps/gitlab/oauth/callback';
export const SCOPES = 'api read_user';

export function GitLabOrganizationPage() {
  const { user } = useSession();
  if (user.role !== 'admin') return <AdminOnly />;
  return <OrganizationTab />;
}

function OrganizationTab() {
  const { user } = useSession();
  const location = useLocation();
  const org = useLoad(api.organization, []);
  const outcome = oauthOutcome(location.query);
  return (
    <>
      <PageHeader title="GitLab" crumbs={gitlabCrumbs} />
      <GitLabTabs current="/apps/gitlab/organization" />
      <section aria-labelledby="org-heading" class="tab-panel">
        <h2 id="org-heading" class="visually-hidden">
          Organization
        </h2>
        {outcome && (outcome.ok ? <Notice kind="success">{outcome.message}</Notice> : <Notice kind="warning">{outcome.message}</Notice>)}
        {org.error && org.error.status === 404 ? (
          <Notice kind="info" title="The GitLab integration is not installed.">
            Install it on the <Link href="/apps">Apps</Link> page first.
          </Notice>
        ) : (
          <ErrorNotice error={org.error} action="Loading the organization" />
        )}
        {org.loading && !org.data && <Loading label="Loading the organization…" />}
        {org.data && <OrganizationState org={org.data} timeZone={user.timezone} onChange={org.reload} />}
        {org.data && <FeedSettingsCard />}
      </section>
    </>
  );
}

function OrganizationState({ org, timeZone, onChange }: { org: Organization; timeZone: string; onChange: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const disconnect = useAction(async () => {
    await api.disconnectOrganization();
    setConfirming(false);
    onChange();
  });
  if (org.status === 'disconnected' || !org.status) return <ConnectForm />;
  const needsReauth = org.status === 'needs_reauthorization';
  return (
    <>
      {needsReauth && (
        <Notice kind="warning" title="GitLab no longer accepts worklog's access.">
          The authorization was revoked or has expired, so no new GitLab activity reaches the Activity Feed. Connect again
          below with the same GitLab application to resume; nothing already collected is lost.
          {org.last_error && <div class="notice-hint">GitLab said: {org.last_error}</div>}
        </Notice>
      )}
      <article class="card">
        <div class="card-title-row">
          <h3>
            <GitLabIcon /> Connected organization
          </h3>
          {needsReauth ? <Badge tone="warning">Needs reauthorization</Badge> : <Badge tone="success">Connected</Badge>}
        </div>
        <dl class="facts">
          <dt>GitLab</dt>
          <dd>{org.base_url}</dd>
          <dt>GitLab account</dt>
          <dd>{org.gitlab_username ? `@${org.gitlab_username}` : '—'}</dd>
          <dt>Connected by</dt>
          <dd>{describePerson(org.connected_by) || '—'}</dd>
          <dt>Connected on</dt>
          <dd>{formatInstant(org.connected_at, timeZone) || '—'}</dd>
        </dl>
        {!needsReauth && <OrganizationBackfill />}
        <p class="muted">
          worklog tracks the projects in which this GitLab account has the Owner role. Work outside those projects is not pulled
          into the Activity Feed.
        </p>
        <footer class="card-actions">
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Disconnect organization
          </Button>
        </footer>
      </article>
      {needsReauth && <ConnectForm baseUrl={org.base_url ?? undefined} reconnect />}
      <Dialog
        open={confirming}
        title="Disconnect organization?"
        onClose={() => setConfirming(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" busy={disconnect.busy} onClick={() => void disconnect.run()}>
              Disconnect organization
            </Button>
          </>
        }
      >
        <p>When you disconnect the organization from GitLab:</p>
        <ul>
          <li>every user is disconnected from GitLab;</li>
          <li>the Activity Feed no longer includes work done in GitLab (GitLab activities are deleted);</li>
          <li>the GitLab icon is removed from the Integrations column in Manage Staff;</li>
          <li>the webhooks worklog created in GitLab are removed and its GitLab tokens are revoked.</li>
        </ul>
        <p>
          <strong>Worklogs already logged stay:</strong> they are your users' own records.
        </p>
        <ErrorNotice error={disconnect.error} action="Disconnect" />
      </Dialog>
    </>
  );
}

function OrganizationBackfill() {
  const projects = useLoad(api.projects, []);
  return <BackfillProgress projects={projects.data} onPoll={projects.reload} />;
}

function ConnectForm({ baseUrl, reconnect }: { baseUrl?: string; reconnect?: boolean }) {
  const [url, setUrl] = useState(baseUrl ?? 'https://gitlab.com');
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const connect = useAction(async () => {
    const { authorize_url } = await api.connectOrganization(url.trim(), clientId.trim(), secret);
    window.location.assign(authorize_url);
    // The browser now leaves for GitLab's consent page; keep showing progress until it does.
    await new Promise(() => {});
  });
  const redirectUri = `${window.location.origin}${REDIRECT_PATH}`;
  return (
    <article class="card" aria-labelledby="connect-heading">
      <h3 id="connect-heading">{reconnect ? 'Connect again' : 'Connect GitLab organization'}</h3>
      {!reconnect && (
        <p>
          Connecting lets worklog see the actions performed in every project in which you have the <strong>Owner</strong> role in
          GitLab, and connect them to worklog users. Work outside those projects isn't pulled into the Activity Feed.
        </p>
      )}
      <ol class="steps">
        <li>
          <p>
            In GitLab, open <em>User settings › Applications</em> (or <em>Admin area › Applications</em> on a self-managed GitLab)
            and add a new application with these values. Keep <em>Confidential</em> checked.
          </p>
          <CopyField label="Redirect URI" value={redirectUri} />
          <CopyField label="Scopes" value={SCOPES} />
        </li>
        <li>
          <p>Copy the application's ID and secret from GitLab into this form, then continue to GitLab to authorize worklog.</p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void connect.run();
            }}
          >
            <Field label="GitLab URL" hint="https://gitlab.com, or the address of your self-managed GitLab" error={fieldError(connect.error, 'base_url')}>
              {(p) => <input {...p} type="url" name="base_url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />}
            </Field>
            <div class="grid">
              <Field label="Application ID" error={fieldError(connect.error, 'client_id')}>
                {(p) => (
                  <input {...p} type="text" name="client_id" required autoComplete="off" spellcheck={false} value={clientId} onInput={(e) => setClientId(e.currentTarget.value)} />
                )}
              </Field>
              <Field label="Secret" error={fieldError(connect.error, 'client_secret')}>
                {(p) => (
                  <input {...p} type="password" name="client_secret" required autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
                )}
              </Field>
            </div>
            <ErrorNotice error={connect.error} action="Connecting" />
            <Button type="submit" busy={connect.busy}>
              {reconnect ? 'Reconnect GitLab organization' : 'Connect GitLab organization'}
            </Button>
          </form>
        </li>
      </ol>
    </article>
  );
}
