// Apps: tiles of integrations; the GitLab tile installs and uninstalls the GitLab app.
import { useState } from 'preact/hooks';
import { api, type App } from '../api';
import { AdminOnly, Badge, Button, Dialog, ErrorNotice, GitLabIcon, Link, Loading, Notice, PageHeader, useAction, useLoad } from '../components/ui';
import { useSession } from '../session';

export function AppsPage() {
  const { user } = useSession();
  if (user.role !== 'admin') return <AdminOnly />;
  return <AppsList />;
}

function AppsList() {
  const apps = useLoad(api.apps, []);
  return (
    <>
      <PageHeader title="Apps" />
      <p class="lead">Connect worklog to the tools your team works in, so their work turns into worklogs in My Work.</p>
      <ErrorNotice error={apps.error} action="Loading apps" />
      {apps.loading && !apps.data && <Loading label="Loading apps…" />}
      <div class="tiles">
        {apps.data?.map((app) =>
          app.key === 'gitlab' ? <GitLabTile key={app.key} app={app} onChange={apps.reload} /> : null,
        )}
      </div>
    </>
  );
}

function GitLabTile({ app, onChange }: { app: App; onChange: () => void }) {
  const { refresh } = useSession();
  const [confirming, setConfirming] = useState(false);
  const install = useAction(async () => {
    await api.installGitLab();
    onChange();
    void refresh();
  });
  const uninstall = useAction(async () => {
    await api.uninstallGitLab();
    setConfirming(false);
    onChange();
    void refresh();
  });
  const switchedOff = app.enabled === false;
  return (
    <article class="tile" aria-labelledby="tile-gitlab-title">
      <div class="tile-head">
        <span class="tile-logo tile-logo-gitlab">
          <GitLabIcon size={28} />
        </span>
        <div>
          <h2 id="tile-gitlab-title">GitLab integration</h2>
          <div class="tile-badges">
            {app.early_access && <Badge tone="info">Early access</Badge>}
            {app.installed && <Badge tone="success">Installed</Badge>}
          </div>
        </div>
      </div>
      <p>
        Fills the Activity Feed in My Work with potential worklogs built from what people do in GitLab: commits, merge
        requests, reviews, issues and comments.
      </p>
      {switchedOff && (
        <Notice kind="info">The GitLab integration is switched off in this server's configuration. Ask the person who runs worklog.</Notice>
      )}
      <ErrorNotice error={install.error} action="Install" />
      <footer class="tile-actions">
        {!app.installed ? (
          <Button busy={install.busy} disabled={switchedOff} onClick={() => void install.run()}>
            Install
          </Button>
        ) : (
          <>
            <Link href="/apps/gitlab/organization" class="button-link">
              Organization
            </Link>
            <Button variant="outline" onClick={() => setConfirming(true)}>
              Uninstall
            </Button>
          </>
        )}
      </footer>
      <Dialog
        open={confirming}
        title="Uninstall the GitLab integration?"
        onClose={() => setConfirming(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" busy={uninstall.busy} onClick={() => void uninstall.run()}>
              Uninstall
            </Button>
          </>
        }
      >
        <p>Uninstalling disconnects your organization from GitLab:</p>
        <ul>
          <li>every user is disconnected from GitLab, and GitLab work leaves every Activity Feed;</li>
          <li>the GitLab icon leaves the Integrations column in Manage Staff;</li>
          <li>the webhooks worklog created in GitLab are removed and its access to GitLab is revoked.</li>
        </ul>
        <p>Worklogs already logged stay.</p>
        <ErrorNotice error={uninstall.error} action="Uninstall" />
      </Dialog>
    </article>
  );
}
