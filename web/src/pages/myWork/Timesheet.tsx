// The week's timesheet: logged time per issue and day with day totals, the worklogs
// themselves, and the dialog that creates, edits and deletes a worklog.
import { useEffect, useState } from 'preact/hooks';
import { Pencil } from 'lucide-preact';
import { api, type Worklog } from '../../api';
import { Badge, Button, Dialog, ErrorNotice, Field, fieldError, Notice, useAction } from '../../components/ui';
import { addSecondsToTime, formatDay, formatDuration, formatShortDay, hhmm, parseDuration } from '../../time';

const ORIGINS: Record<string, string> = {
  manual: 'Manual',
  activity_feed: 'Activity Feed',
  smart_commit: 'Smart commit',
  automation: 'Automation',
};

export function Timesheet({ days, worklogs, today, onEdit }: { days: string[]; worklogs: Worklog[]; today: string; onEdit: (w: Worklog) => void }) {
  const issues = [...new Set(worklogs.map((w) => w.issue_key))].sort();
  const cell = (issue: string | null, day: string | null) =>
    worklogs.filter((w) => (issue === null || w.issue_key === issue) && (day === null || w.start_date === day)).reduce((t, w) => t + w.duration_seconds, 0);
  const show = (seconds: number) => (seconds ? formatDuration(seconds) : '');
  return (
    <>
      <div class="table-wrap">
        <table class="timesheet">
          <caption class="visually-hidden">Logged time per issue and day</caption>
          <thead>
            <tr>
              <th scope="col">Issue</th>
              {days.map((d) => (
                <th scope="col" key={d} class={d === today ? 'today num' : 'num'}>
                  <abbr title={formatDay(d)}>{formatShortDay(d)}</abbr>
                </th>
              ))}
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {issues.map((issue) => (
              <tr key={issue}>
                <th scope="row">
                  <span class="issue-key">{issue}</span>
                </th>
                {days.map((d) => (
                  <td key={d} class={d === today ? 'today num' : 'num'}>
                    {show(cell(issue, d))}
                  </td>
                ))}
                <td class="num">{show(cell(issue, null))}</td>
              </tr>
            ))}
            {issues.length === 0 && (
              <tr>
                <td colSpan={days.length + 2} class="muted">
                  No time logged this week. Choose Log time, or log suggestions from the Activity Feed.
                </td>
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Day total</th>
              {days.map((d) => (
                <td key={d} class={d === today ? 'today num' : 'num'} data-day={d}>
                  {formatDuration(cell(null, d))}
                </td>
              ))}
              <td class="num">
                <strong>{formatDuration(cell(null, null))}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {worklogs.length > 0 && (
        <section aria-labelledby="worklog-list-heading">
          <h3 id="worklog-list-heading" class="h4">
            Worklogs
          </h3>
          {days
            .filter((d) => worklogs.some((w) => w.start_date === d))
            .map((d) => (
              <div key={d} class="worklog-day">
                <h4 class="day-heading">{formatDay(d)}</h4>
                <ul class="worklog-list">
                  {worklogs
                    .filter((w) => w.start_date === d)
                    .sort((a, b) => a.start_time.localeCompare(b.start_time))
                    .map((w) => (
                      <li key={w.id} class="worklog-item">
                        <span class="muted worklog-time">
                          {hhmm(w.start_time)}–{addSecondsToTime(w.start_time, w.duration_seconds)}
                        </span>
                        <span class="issue-key">{w.issue_key}</span>
                        <span class="worklog-desc">{w.description}</span>
                        <strong>{formatDuration(w.duration_seconds)}</strong>
                        {w.origin !== 'manual' && <Badge>{ORIGINS[w.origin] ?? w.origin}</Badge>}
                        <Button variant="ghost" class="icon-button" aria-label={`Edit ${w.issue_key} worklog at ${hhmm(w.start_time)} on ${formatDay(d)}`} onClick={() => onEdit(w)}>
                          <Pencil aria-hidden="true" />
                        </Button>
                      </li>
                    ))}
                </ul>
              </div>
            ))}
        </section>
      )}
    </>
  );
}

export interface WorklogDraft {
  id?: number;
  issue_key: string;
  start_date: string;
  start_time: string; // "HH:MM"
  duration: string;
  duration_seconds?: number;
  description: string;
}

export function WorklogDialog({ draft, onClose, onSaved }: { draft: WorklogDraft | null; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState<WorklogDraft | null>(draft);
  const [durationError, setDurationError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => {
    setForm(draft && { ...draft, duration: draft.duration || (draft.duration_seconds ? formatDuration(draft.duration_seconds) : '') });
    setDurationError(null);
    setConfirmDelete(false);
  }, [draft]);
  const save = useAction(async () => {
    if (!form) return;
    const seconds = parseDuration(form.duration);
    if (seconds === null || seconds <= 0) {
      setDurationError('Write a duration like 1h 30m, 45m or 1:15.');
      return;
    }
    setDurationError(null);
    const input = {
      issue_key: form.issue_key.trim().toUpperCase(),
      start_date: form.start_date,
      start_time: form.start_time.length === 5 ? `${form.start_time}:00` : form.start_time,
      duration_seconds: seconds,
      description: form.description,
    };
    if (form.id) await api.updateWorklog(form.id, input);
    else await api.createWorklog(input);
    onSaved();
    onClose();
  });
  const remove = useAction(async () => {
    if (!form?.id) return;
    await api.deleteWorklog(form.id);
    onSaved();
    onClose();
  });
  const set = (patch: Partial<WorklogDraft>) => setForm((f) => (f ? { ...f, ...patch } : f));
  const editing = Boolean(form?.id);
  return (
    <Dialog
      open={draft !== null}
      title={editing ? 'Edit worklog' : 'Log time'}
      onClose={onClose}
      footer={
        <>
          {editing &&
            (confirmDelete ? (
              <Button variant="danger" busy={remove.busy} onClick={() => void remove.run()}>
                Delete for good
              </Button>
            ) : (
              <Button variant="outline" class="push-left" onClick={() => setConfirmDelete(true)}>
                Delete
              </Button>
            ))}
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="worklog-form" busy={save.busy}>
            {editing ? 'Save' : 'Log time'}
          </Button>
        </>
      }
    >
      {form && (
        <form
          id="worklog-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <Field label="Issue" hint="The issue key, e.g. PROJ-7" error={fieldError(save.error, 'issue_key')}>
            {(p) => (
              <input {...p} type="text" name="issue_key" required pattern="[A-Za-z][A-Za-z0-9_]+-[0-9]+" value={form.issue_key} onInput={(e) => set({ issue_key: e.currentTarget.value })} />
            )}
          </Field>
          <div class="grid">
            <Field label="Date" error={fieldError(save.error, 'start_date')}>
              {(p) => <input {...p} type="date" name="start_date" required value={form.start_date} onInput={(e) => set({ start_date: e.currentTarget.value })} />}
            </Field>
            <Field label="Start" error={fieldError(save.error, 'start_time')}>
              {(p) => <input {...p} type="time" name="start_time" required value={form.start_time} onInput={(e) => set({ start_time: e.currentTarget.value })} />}
            </Field>
            <Field label="Duration" hint="e.g. 1h 30m" error={durationError ?? fieldError(save.error, 'duration_seconds')}>
              {(p) => <input {...p} type="text" name="duration" required value={form.duration} onInput={(e) => set({ duration: e.currentTarget.value })} />}
            </Field>
          </div>
          <Field label="Description" error={fieldError(save.error, 'description')}>
            {(p) => <textarea {...p} name="description" rows={3} value={form.description} onInput={(e) => set({ description: e.currentTarget.value })} />}
          </Field>
          {confirmDelete && <Notice kind="warning">Deleting removes this worklog. Choose “Delete for good” to confirm.</Notice>}
          <ErrorNotice error={save.error} action={editing ? 'Saving' : 'Logging time'} />
          <ErrorNotice error={remove.error} action="Deleting" />
        </form>
      )}
    </Dialog>
  );
}
