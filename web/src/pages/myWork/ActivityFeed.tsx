// The Activity Feed: per day, potential worklogs built from the user's GitLab activity,
// each with the activities behind it and why; Log (editable), Dismiss, Log all keyed.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, errorOf, type ApiError, type Feed, type Suggestion } from '../../api';
import { Badge, Button, ErrorNotice, Field, fieldError, Loading, Notice, useAction } from '../../components/ui';
import { addSecondsToTime, formatDay, formatDuration, hhmm, localParts, parseDuration } from '../../time';

interface FeedState {
  data?: Feed | null;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
  update: (change: (f: Feed | null | undefined) => Feed | null | undefined) => void;
}

export function ActivityFeed({ feed, timeZone, onLogged }: { feed: FeedState; timeZone: string; onLogged: () => void }) {
  const [bulk, setBulk] = useState<{ done: number; total: number; failures: { s: Suggestion; error: ApiError }[]; running: boolean } | null>(null);
  const suggestions = feed.data?.suggestions ?? [];
  const keyed = suggestions.filter((s) => s.issue_key);

  const remove = (id: string) => feed.update((f) => (f ? { ...f, suggestions: f.suggestions.filter((s) => s.id !== id) } : f));

  const logAllKeyed = async () => {
    const todo = keyed;
    const failures: { s: Suggestion; error: ApiError }[] = [];
    setBulk({ done: 0, total: todo.length, failures, running: true });
    for (let i = 0; i < todo.length; i++) {
      try {
        await api.logSuggestion(todo[i].id, {});
        remove(todo[i].id);
      } catch (e) {
        failures.push({ s: todo[i], error: errorOf(e) });
      }
      setBulk({ done: i + 1, total: todo.length, failures: [...failures], running: i + 1 < todo.length });
    }
    onLogged();
  };

  if (feed.error) {
    if (feed.error.status === 409 || feed.error.status === 404) {
      return (
        <Notice kind="info" title="No GitLab activity to show.">
          {feed.error.detail || 'Connect GitLab above to see potential worklogs from your GitLab work.'}
        </Notice>
      );
    }
    return <ErrorNotice error={feed.error} action="Loading the Activity Feed" />;
  }
  if (feed.loading && !feed.data) return <Loading label="Loading the Activity Feed…" />;

  const byDay = new Map<string, Suggestion[]>();
  for (const s of suggestions) byDay.set(s.date, [...(byDay.get(s.date) ?? []), s]);

  return (
    <div class="feed">
      <div class="toolbar">
        <p class="muted">
          Potential worklogs built from what you did in GitLab. Log them as they are, adjust them first, or dismiss them.
        </p>
        <Button variant="secondary" busy={bulk?.running} disabled={keyed.length === 0} onClick={() => void logAllKeyed()}>
          Log all keyed{keyed.length ? ` (${keyed.length})` : ''}
        </Button>
      </div>
      {bulk && (
        <div role="status" class="bulk-status">
          {bulk.running ? `Logging ${bulk.done} of ${bulk.total}…` : `Logged ${bulk.total - bulk.failures.length} of ${bulk.total}.`}
        </div>
      )}
      {bulk?.failures.map((f) => <ErrorNotice key={f.s.id} error={f.error} action={`Logging ${f.s.issue_key} on ${formatDay(f.s.date)}`} />)}
      {suggestions.length === 0 && (
        <Notice kind="info" title="Nothing to log this week.">
          New potential worklogs appear here as you commit, open merge requests, review, and comment in GitLab.
        </Notice>
      )}
      {[...byDay.entries()].map(([date, items]) => (
        <section key={date} class="feed-day" aria-labelledby={`feed-day-${date}`}>
          <h3 id={`feed-day-${date}`} class="day-heading">
            {formatDay(date)}
            <span class="muted"> · {formatDuration(items.reduce((t, s) => t + s.duration_seconds, 0))} suggested</span>
          </h3>
          {items.map((s) => (
            <SuggestionCard key={s.id} s={s} timeZone={timeZone} onDone={() => (remove(s.id), onLogged())} />
          ))}
        </section>
      ))}
    </div>
  );
}

function SuggestionCard({ s, timeZone, onDone }: { s: Suggestion; timeZone: string; onDone: () => void }) {
  const [editing, setEditing] = useState(false);
  const dismiss = useAction(async () => {
    await api.dismissSuggestion(s.id);
    onDone();
  });
  const headingId = useId();
  return (
    <article class="suggestion" aria-labelledby={headingId}>
      <div class="suggestion-head">
        <h4 id={headingId}>
          {s.issue_key ? <span class="issue-key">{s.issue_key}</span> : <Badge tone="warning">No issue</Badge>}{' '}
          <span class="suggestion-desc">{s.description}</span>
        </h4>
        <div class="suggestion-time">
          <strong>{formatDuration(s.duration_seconds)}</strong>
          <span class="muted">
            {hhmm(s.start_time)}–{addSecondsToTime(s.start_time, s.duration_seconds)}
          </span>
        </div>
      </div>
      <details class="why">
        <summary>
          Why? {s.activities.length} {s.activities.length === 1 ? 'activity' : 'activities'}
        </summary>
        <p>{s.why}</p>
        <ul class="activities">
          {s.activities.map((a) => (
            <li key={a.key}>
              <time dateTime={a.occurred_at}>{hhmm(localParts(new Date(a.occurred_at), timeZone).time)}</time>
              <Badge>{[a.kind.replace(/_/g, ' '), a.action].filter(Boolean).join(' · ')}</Badge>
              {a.url ? (
                <a href={a.url} target="_blank" rel="noreferrer noopener">
                  {a.title || a.key}
                </a>
              ) : (
                <span>{a.title || a.key}</span>
              )}
              {a.project_path && <span class="muted">{a.project_path}</span>}
            </li>
          ))}
        </ul>
      </details>
      {editing ? (
        <LogForm s={s} onCancel={() => setEditing(false)} onLogged={onDone} />
      ) : (
        <div class="suggestion-actions">
          <Button onClick={() => setEditing(true)} aria-label={`Log ${s.issue_key ?? 'suggestion'} on ${formatDay(s.date)}`}>
            Log
          </Button>
          <Button variant="ghost" busy={dismiss.busy} onClick={() => void dismiss.run()} aria-label={`Dismiss ${s.issue_key ?? 'suggestion'} on ${formatDay(s.date)}`}>
            Dismiss
          </Button>
        </div>
      )}
      <ErrorNotice error={dismiss.error} action="Dismiss" />
    </article>
  );
}

function LogForm({ s, onCancel, onLogged }: { s: Suggestion; onCancel: () => void; onLogged: () => void }) {
  const [issue, setIssue] = useState(s.issue_key ?? '');
  const [start, setStart] = useState(hhmm(s.start_time));
  const [duration, setDuration] = useState(formatDuration(s.duration_seconds));
  const [description, setDescription] = useState(s.description);
  const [durationError, setDurationError] = useState<string | null>(null);
  // Opening the form puts the keyboard in its first field.
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => formRef.current?.querySelector<HTMLInputElement>('input')?.focus(), []);
  const log = useAction(async () => {
    const seconds = parseDuration(duration);
    if (seconds === null || seconds <= 0) {
      setDurationError('Write a duration like 1h 30m, 45m or 1:15.');
      return;
    }
    setDurationError(null);
    // Send only what the person changed; the server fills the rest from the suggestion.
    const edits: { issue_key?: string; start?: string; duration_seconds?: number; description?: string } = {};
    if (issue.trim() !== (s.issue_key ?? '')) edits.issue_key = issue.trim().toUpperCase();
    if (start !== hhmm(s.start_time)) edits.start = `${start}:00`;
    if (seconds !== s.duration_seconds) edits.duration_seconds = seconds;
    if (description !== s.description) edits.description = description;
    await api.logSuggestion(s.id, edits);
    onLogged();
  });
  return (
    <form
      ref={formRef}
      class="log-form"
      onSubmit={(e) => {
        e.preventDefault();
        void log.run();
      }}
    >
      <div class="grid log-grid">
        <Field label="Issue" error={fieldError(log.error, 'issue_key')} hint={s.issue_key ? undefined : 'This work names no issue: enter one, e.g. PROJ-7'}>
          {(p) => <input {...p} type="text" required pattern="[A-Za-z][A-Za-z0-9_]+-[0-9]+" value={issue} onInput={(e) => setIssue(e.currentTarget.value)} />}
        </Field>
        <Field label="Start" error={fieldError(log.error, 'start')}>
          {(p) => <input {...p} type="time" required value={start} onInput={(e) => setStart(e.currentTarget.value)} />}
        </Field>
        <Field label="Duration" error={durationError ?? fieldError(log.error, 'duration_seconds')}>
          {(p) => <input {...p} type="text" required value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />}
        </Field>
      </div>
      <Field label="Description" error={fieldError(log.error, 'description')}>
        {(p) => <textarea {...p} rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />}
      </Field>
      <ErrorNotice error={log.error} action="Log" />
      <div class="form-actions">
        <Button type="submit" busy={log.busy}>
          Log
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
