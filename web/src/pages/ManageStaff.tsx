// Settings › Manage Staff: the staff table with its Integrations column, Add users, and
// the Actions menu that connects or disconnects selected users with GitLab.
import { useMemo, useState } from 'preact/hooks';
import { Link2, Unlink, UserPlus } from 'lucide-preact';
import { api, type ConnectResult, type Role, type StaffMember } from '../api';
import {
  AdminOnly,
  Badge,
  Button,
  Dialog,
  ErrorNotice,
  Field,
  fieldError,
  GitLabIcon,
  Loading,
  MenuButton,
  Notice,
  PageHeader,
  useAction,
  useLoad,
} from '../components/ui';
import { useSession } from '../session';

export function ManageStaffPage() {
  const { user } = useSession();
  if (user.role !== 'admin') return <AdminOnly />;
  return <StaffTable />;
}

function StaffTable() {
  const { user, refresh } = useSession();
  const staff = useLoad(api.staff, []);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [adding, setAdding] = useState(false);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const [results, setResults] = useState<{ action: 'connect' | 'disconnect'; items: ConnectResult[] } | null>(null);
  const [pickHint, setPickHint] = useState(false);

  const members = staff.data ?? [];
  const byId = useMemo(() => new Map(members.map((m) => [m.id, m])), [members]);
  const allSelected = members.length > 0 && members.every((m) => selected.has(m.id));

  const afterChange = () => {
    staff.reload();
    void refresh();
  };
  const connect = useAction(async (ids: number[], choices?: { user_id: number; gitlab_user_id: number }[]) => {
    const items = await api.connectStaff(ids, choices);
    setResults((prev) => {
      // Merge a pick among ambiguous matches into the results already shown.
      if (!choices || !prev) return { action: 'connect', items };
      const fresh = new Map(items.map((r) => [r.user_id, r]));
      return { action: 'connect', items: prev.items.map((r) => fresh.get(r.user_id) ?? r) };
    });
    afterChange();
  });
  const disconnect = useAction(async () => {
    const ids = [...selected];
    const items = await api.disconnectStaff(ids);
    setConfirmDisconnect(false);
    setResults({ action: 'disconnect', items: items ?? ids.map((id) => ({ user_id: id, result: 'disconnected' })) });
    afterChange();
  });

  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const requireSelection = (then: () => void) => () => {
    if (selected.size === 0) setPickHint(true);
    else {
      setPickHint(false);
      then();
    }
  };

  return (
    <>
      <PageHeader title="Manage Staff" crumbs={[{ label: 'Settings', href: '/settings/staff' }]}>
        <Button variant="secondary" onClick={() => setAdding(true)}>
          <UserPlus aria-hidden="true" />
          Add users
        </Button>
        <MenuButton
          label="Actions"
          busy={connect.busy || disconnect.busy}
          items={[
            {
              label: 'Connect with GitLab',
              icon: <Link2 aria-hidden="true" />,
              onSelect: requireSelection(() => {
                setResults(null);
                void connect.run([...selected]);
              }),
            },
            { label: 'Disconnect from GitLab', icon: <Unlink aria-hidden="true" />, onSelect: requireSelection(() => setConfirmDisconnect(true)) },
          ]}
        />
      </PageHeader>
      <p class="lead">Connect team members to GitLab on their behalf: they are matched to GitLab users by e-mail address.</p>
      {pickHint && selected.size === 0 && <Notice kind="info">Select one or more users in the table first, then choose an action.</Notice>}
      {(connect.busy || disconnect.busy) && !results && (
        <p class="muted" role="status" aria-busy="true">
          {connect.busy ? 'Connecting' : 'Disconnecting'} {selected.size} {selected.size === 1 ? 'user' : 'users'} {connect.busy ? 'with' : 'from'} GitLab…
        </p>
      )}
      <ErrorNotice error={connect.error} action="Connect with GitLab" />
      <ErrorNotice error={staff.error} action="Loading staff" />
      {results && (
        <Results
          results={results}
          byId={byId}
          busy={connect.busy}
          onPick={(userId, gitlabUserId) => void connect.run([userId], [{ user_id: userId, gitlab_user_id: gitlabUserId }])}
          onDismiss={() => setResults(null)}
        />
      )}
      {staff.loading && !staff.data && <Loading label="Loading staff…" />}
      {staff.data && (
        <div class="table-wrap">
          <table class="staff-table">
            <caption class="visually-hidden">Staff</caption>
            <thead>
              <tr>
                <th scope="col" class="select-col">
                  <input
                    type="checkbox"
                    aria-label="Select all users"
                    checked={allSelected}
                    onChange={(e) => setSelected(e.currentTarget.checked ? new Set(members.map((m) => m.id)) : new Set())}
                  />
                </th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Integrations</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} aria-selected={selected.has(m.id) ? 'true' : 'false'} class={selected.has(m.id) ? 'selected' : undefined}>
                  <td class="select-col">
                    <input type="checkbox" aria-label={`Select ${m.name}`} checked={selected.has(m.id)} onChange={(e) => toggle(m.id, e.currentTarget.checked)} />
                  </td>
                  <td>
                    {m.name}
                    {m.id === user.id && <span class="muted"> (you)</span>}
                  </td>
                  <td>{m.email}</td>
                  <td>{m.role === 'admin' ? 'Administrator' : 'User'}</td>
                  <td class="integrations">
                    {m.integrations?.gitlab?.connected && (
                      <span class="integration" title={m.integrations.gitlab.username ? `GitLab: @${m.integrations.gitlab.username}` : 'GitLab'}>
                        <GitLabIcon label="GitLab" />
                        {m.integrations.gitlab.username && <span class="muted">@{m.integrations.gitlab.username}</span>}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted" role="status">
            {selected.size ? `${selected.size} of ${members.length} selected` : `${members.length} users`}
          </p>
        </div>
      )}
      <AddUsersDialog open={adding} defaultTimeZone={user.timezone} onClose={() => setAdding(false)} onAdded={afterChange} />
      <Dialog
        open={confirmDisconnect}
        title="Disconnect from GitLab?"
        onClose={() => setConfirmDisconnect(false)}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmDisconnect(false)}>
              Cancel
            </Button>
            <Button variant="danger" busy={disconnect.busy} onClick={() => void disconnect.run()}>
              Disconnect from GitLab
            </Button>
          </>
        }
      >
        <p>
          {selected.size === 1 ? '1 user' : `${selected.size} users`} will be disconnected from GitLab:{' '}
          {[...selected]
            .map((id) => byId.get(id)?.name)
            .filter(Boolean)
            .join(', ')}
          .
        </p>
        <p>Their GitLab work leaves their Activity Feed. Worklogs they already logged stay. They can connect again in My Work.</p>
        <ErrorNotice error={disconnect.error} action="Disconnect" />
      </Dialog>
    </>
  );
}

const RESULT_TEXT: Record<string, string> = {
  connected: 'Connected',
  already_connected: 'Already connected',
  no_match: 'No GitLab user has this e-mail address',
  ambiguous: 'Several GitLab users match: pick one',
  disconnected: 'Disconnected',
  not_connected: 'Was not connected',
  organization_not_connected: 'The organization is not connected to GitLab',
  conflict: 'That GitLab user is linked to someone else',
  not_found: 'No such user',
};

function Results({
  results,
  byId,
  busy,
  onPick,
  onDismiss,
}: {
  results: { action: 'connect' | 'disconnect'; items: ConnectResult[] };
  byId: Map<number, StaffMember>;
  busy: boolean;
  onPick: (userId: number, gitlabUserId: number) => void;
  onDismiss: () => void;
}) {
  const ok = results.items.filter((r) => ['connected', 'already_connected', 'disconnected', 'not_connected'].includes(r.result)).length;
  return (
    <section class="card results" aria-labelledby="results-heading" aria-live="polite">
      <div class="card-title-row">
        <h2 id="results-heading" class="h3">
          {results.action === 'connect' ? 'Connect with GitLab' : 'Disconnect from GitLab'}: {ok} of {results.items.length} done
        </h2>
        <Button variant="ghost" onClick={onDismiss}>
          Close results
        </Button>
      </div>
      <ul class="result-list">
        {results.items.map((r) => {
          const member = byId.get(r.user_id);
          const good = ['connected', 'already_connected', 'disconnected', 'not_connected'].includes(r.result);
          return (
            <li key={r.user_id}>
              <div class="result-row">
                <strong>{member?.name ?? `User #${r.user_id}`}</strong>
                <Badge tone={good ? 'success' : r.result === 'ambiguous' ? 'warning' : 'danger'}>
                  {RESULT_TEXT[r.result] ?? r.result.replace(/_/g, ' ')}
                </Badge>
                {r.gitlab_username && <span class="muted">as @{r.gitlab_username}</span>}
              </div>
              {r.detail && <p class="muted">{r.detail}</p>}
              {r.result === 'no_match' && (
                <p class="muted">
                  Check that {member?.email ?? 'their e-mail'} is an e-mail address of their GitLab account, or ask them to connect
                  themselves in My Work.
                </p>
              )}
              {r.result === 'ambiguous' && r.candidates && r.candidates.length > 0 && (
                <CandidatePicker userId={r.user_id} name={member?.name ?? `user #${r.user_id}`} candidates={r.candidates} busy={busy} onPick={onPick} />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function CandidatePicker({
  userId,
  name,
  candidates,
  busy,
  onPick,
}: {
  userId: number;
  name: string;
  candidates: NonNullable<ConnectResult['candidates']>;
  busy: boolean;
  onPick: (userId: number, gitlabUserId: number) => void;
}) {
  const [choice, setChoice] = useState<number | null>(null);
  return (
    <form
      class="candidates"
      onSubmit={(e) => {
        e.preventDefault();
        if (choice !== null) onPick(userId, choice);
      }}
    >
      <fieldset>
        <legend>Which GitLab user is {name}?</legend>
        {candidates.map((c) => (
          <label key={c.id}>
            <input type="radio" name={`candidate-${userId}`} value={c.id} checked={choice === c.id} onChange={() => setChoice(c.id)} />
            {c.username ? `@${c.username}` : `GitLab user #${c.id}`}
            {c.name && ` — ${c.name}`}
            {c.email && <span class="muted"> ({c.email})</span>}
            {c.matched_by && <span class="muted"> — matched by {c.matched_by.replace(/_/g, ' ')}</span>}
          </label>
        ))}
      </fieldset>
      <Button type="submit" variant="secondary" busy={busy} disabled={choice === null}>
        Connect {name}
      </Button>
    </form>
  );
}

function timeZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

function AddUsersDialog({ open, defaultTimeZone, onClose, onAdded }: { open: boolean; defaultTimeZone: string; onClose: () => void; onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [timezone, setTimezone] = useState(defaultTimeZone);
  const [added, setAdded] = useState<string[]>([]);
  const zones = useMemo(() => {
    const list = timeZones();
    return list.includes(defaultTimeZone) ? list : [defaultTimeZone, ...list];
  }, [defaultTimeZone]);
  const add = useAction(async () => {
    const member = await api.addStaff({ email: email.trim(), name: name.trim(), role, timezone });
    setAdded((a) => [...a, member?.name ?? name]);
    setEmail('');
    setName('');
    setRole('user');
    onAdded();
  });
  const close = () => {
    setAdded([]);
    add.setError(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      title="Add users"
      onClose={close}
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            {added.length ? 'Done' : 'Cancel'}
          </Button>
          <Button type="submit" form="add-user-form" busy={add.busy}>
            Add user
          </Button>
        </>
      }
    >
      {added.length > 0 && <Notice kind="success">Added {added.join(', ')}. Add another, or choose Done.</Notice>}
      <form
        id="add-user-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add.run();
        }}
      >
        <Field label="Email" error={fieldError(add.error, 'email')}>
          {(p) => <input {...p} type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />}
        </Field>
        <Field label="Name" error={fieldError(add.error, 'name')}>
          {(p) => <input {...p} type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <div class="grid">
          <Field label="Role" error={fieldError(add.error, 'role')}>
            {(p) => (
              <select {...p} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                <option value="user">User</option>
                <option value="admin">Administrator</option>
              </select>
            )}
          </Field>
          <Field label="Time zone" error={fieldError(add.error, 'timezone')}>
            {(p) => (
              <select {...p} value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ErrorNotice error={add.error} action="Adding the user" />
      </form>
    </Dialog>
  );
}
