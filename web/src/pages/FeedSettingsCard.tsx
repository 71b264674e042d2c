// Apps › GitLab › Organization: how the Activity Feed estimates time for everyone
// (GET|PUT /api/v1/apps/gitlab/settings, administrators).
import { useEffect, useState } from 'preact/hooks';
import { api, type FeedSettings } from '../api';
import { Button, ErrorNotice, Field, fieldError, Loading, Notice, useAction, useLoad } from '../components/ui';

type Key = 'max_gap_minutes' | 'lead_in_minutes' | 'rounding_minutes' | 'hours_per_day' | 'days_per_week';

const FIELDS: { key: Key; label: string; hint: string }[] = [
  { key: 'max_gap_minutes', label: 'Gap that ends a session (minutes)', hint: 'A longer pause between two activities starts a new session. 1 to 1440.' },
  { key: 'lead_in_minutes', label: 'Session lead-in (minutes)', hint: 'Work done before the first commit or comment of a session. 0 to 480.' },
  { key: 'rounding_minutes', label: 'Round suggestions to (minutes)', hint: 'Also the shortest suggestion. 1 to 60.' },
  { key: 'hours_per_day', label: 'Smart commits: hours in a day (1d)', hint: 'For #time 1d and @1d. 1 to 24.' },
  { key: 'days_per_week', label: 'Smart commits: days in a week (1w)', hint: 'For #time 1w and @1w. 1 to 7.' },
];

export function FeedSettingsCard() {
  const loaded = useLoad(api.feedSettings, []);
  const [values, setValues] = useState<Record<Key, string> | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (loaded.data) setValues(Object.fromEntries(FIELDS.map((f) => [f.key, String(loaded.data![f.key])])) as Record<Key, string>);
  }, [loaded.data]);
  const save = useAction(async () => {
    if (!values) return;
    setSaved(false);
    const body = Object.fromEntries(FIELDS.map((f) => [f.key, Number(values[f.key])])) as Partial<FeedSettings>;
    await api.saveFeedSettings(body);
    setSaved(true);
    loaded.reload();
  });
  return (
    <article class="card" aria-labelledby="feed-settings-heading">
      <h3 id="feed-settings-heading">Time estimates</h3>
      <p class="muted">How the Activity Feed turns everyone’s GitLab activity into suggested worklogs. Changes apply from the next time a feed is opened.</p>
      <ErrorNotice error={loaded.error} action="Loading the time estimate settings" />
      {loaded.loading && !values && <Loading label="Loading the time estimate settings…" />}
      {values && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <div class="grid">
            {FIELDS.slice(0, 3).map((f) => (
              <SettingField key={f.key} field={f} value={values[f.key]} error={fieldError(save.error, f.key)} onInput={(v) => setValues({ ...values, [f.key]: v })} />
            ))}
          </div>
          <div class="grid">
            {FIELDS.slice(3).map((f) => (
              <SettingField key={f.key} field={f} value={values[f.key]} error={fieldError(save.error, f.key)} onInput={(v) => setValues({ ...values, [f.key]: v })} />
            ))}
          </div>
          <ErrorNotice error={save.error} action="Saving the time estimate settings" />
          {saved && !save.error && <Notice kind="success">Time estimate settings saved.</Notice>}
          <Button type="submit" busy={save.busy}>
            Save time estimates
          </Button>
        </form>
      )}
    </article>
  );
}

function SettingField({
  field,
  value,
  error,
  onInput,
}: {
  field: (typeof FIELDS)[number];
  value: string;
  error: string | null;
  onInput: (value: string) => void;
}) {
  return (
    <Field label={field.label} hint={field.hint} error={error}>
      {(p) => <input {...p} type="number" name={field.key} required step={1} value={value} onInput={(e) => onInput(e.currentTarget.value)} />}
    </Field>
  );
}
