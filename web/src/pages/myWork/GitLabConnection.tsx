// My Work: the user's own GitLab connection, with who connected it and when.
import { useState } from 'preact/hooks';
import { api, type MyIntegration } from '../../api';
import { Button, Dialog, ErrorNotice, GitLabIcon, Notice, describePerson, useAction } from '../../components/ui';
import { useLocation } from '../../router';
import { useSession } from '../../session';
import { formatInstant } from '../../time';
import { oauthOutcome } from '../gitlabNav';

export function GitLabConnection({ link, onChange }: { link: MyIntegration; onChange: () => void }) {
  const { user } = useSession();
  const location = useLocation();
  const [confirming, setConfirming] = useState(false);
  const connect = useAction(async () => {
    const { authorize_url } = await api.connectMyGitLab();
    window.location.assign(authorize_url);
    await new Promise(() => {});
  });
  const disconnect = useAction(async () => {
    await api.disconnectMyGitLab();
    setConfirming(false);
    onChange();
  });
  const outcome = oauthOutcome(location.query);
  const by = link.connected_by && link.connected_by !== 'self' && link.connected_by !== user.id ? describePerson(link.connected_by_name ?? link.connected_by) : '';
  return (
    <section class="card connection" aria-labelledby="my-gitlab-heading">
      {outcome && (outcome.ok ? <Notice kind="success">{outcome.message}</Notice> : <Notice kind="warning">{outcome.message}</Notice>)}
      <div class="connection-row">
        <span class="tile-logo tile-logo-gitlab">
          <GitLabIcon size={22} />
        </span>
        <div class="connection-text">
          <h2 id="my-gitlab-heading" class="h4">
            GitLab
          </h2>
          {link.connected ? (
            <p>
              Connected{link.username ? ` as @${link.username}` : ''}
              {by ? ` — connected by ${by}` : ''}
              {link.connected_at ? ` on ${formatInstant(link.connected_at, user.timezone)}` : ''}.
            </p>
          ) : (
            <p>Not connected. Connect your GitLab account to see your GitLab work in the Activity Feed.</p>
          )}
        </div>
        <div class="connection-actions">
          {link.connected ? (
            <Button variant="outline" onClick={() => setConfirming(true)}>
              Disconnect GitLab
            </Button>
          ) : (
            <Button busy={connect.busy} onClick={() => void connect.run()}>
              Connect GitLab
            </Button>
          )}
        </div>
      </div>
      {connect.error?.status === 409 ? (
        <Notice kind="warning" title="GitLab cannot be connected yet.">
          {connect.error.detail} An administrator connects the organization on Apps › GitLab › Organization; then connect here.
        </Notice>
      ) : (
        <ErrorNotice error={connect.error} action="Connecting GitLab" />
      )}
      <Dialog
        open={confirming}
        title="Disconnect GitLab?"
        onClose={() => setConfirming(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" busy={disconnect.busy} onClick={() => void disconnect.run()}>
              Disconnect GitLab
            </Button>
          </>
        }
      >
        <p>Your GitLab work will no longer appear in your Activity Feed. Worklogs you already logged stay.</p>
        <p>You can connect again at any time.</p>
        <ErrorNotice error={disconnect.error} action="Disconnecting" />
      </Dialog>
    </section>
  );
}
