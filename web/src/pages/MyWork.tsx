// My Work: the Activity Feed (potential worklogs from GitLab), the week's timesheet, a
// day timeline, and the user's own GitLab connection.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ChevronLeft, ChevronRight, Plus } from 'lucide-preact';
import { api, type Feed, type Worklog } from '../api';
import { Button, ErrorNotice, Loading, Notice, PageHeader, useLoad } from '../components/ui';
import { navigate, useLocation } from '../router';
import { useSession } from '../session';
import { addDays, formatDate, isDate, today, weekDays, weekStart } from '../time';
import { ActivityFeed } from './myWork/ActivityFeed';
import { GitLabConnection } from './myWork/GitLabConnection';
import { Timesheet, WorklogDialog, type WorklogDraft } from './myWork/Timesheet';
import { Timeline } from './myWork/Timeline';

const TABS = [
  { key: 'feed', label: 'Activity Feed' },
  { key: 'timesheet', label: 'Timesheet' },
  { key: 'timeline', label: 'Timeline' },
] as const;
type TabKey = (typeof TABS)[number]['key'];

export function MyWorkPage() {
  const { user } = useSession();
  const location = useLocation();
  const todayDate = today(user.timezone);
  const weekParam = location.query.get('week');
  const monday = weekStart(weekParam && isDate(weekParam) ? weekParam : todayDate);
  const sunday = addDays(monday, 6);
  const days = weekDays(monday);
  const tabParam = location.query.get('tab');
  const tab: TabKey = TABS.some((t) => t.key === tabParam) ? (tabParam as TabKey) : 'feed';
  const dayParam = location.query.get('day');

  const go = (changes: Record<string, string | null>) => {
    const q = new URLSearchParams(location.query);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    const s = q.toString();
    navigate(`/my-work${s ? `?${s}` : ''}`, { replace: true });
  };

  const integrations = useLoad(api.myIntegrations, []);
  const gitlab = integrations.data?.find((i) => i.key === 'gitlab');
  // Until the list is known (or if it fails) ask for the feed anyway; it says why it is empty.
  const feedAvailable = integrations.data ? Boolean(gitlab) : true;
  const feed = useLoad<Feed | null>(() => (feedAvailable ? api.feed(monday, sunday) : Promise.resolve(null)), [monday, feedAvailable]);
  const worklogs = useLoad<Worklog[]>(() => api.worklogs(monday, sunday), [monday]);
  const [draft, setDraft] = useState<WorklogDraft | null>(null);
  // The timeline opens on today, or when nothing happened today on the latest day before it
  // that has activity or worklogs.
  const fallbackDay = days.includes(todayDate) ? todayDate : monday;
  const busyDays = new Set([...(feed.data?.suggestions ?? []).map((s) => s.date), ...(worklogs.data ?? []).map((w) => w.start_date)]);
  const day =
    dayParam && days.includes(dayParam)
      ? dayParam
      : busyDays.has(fallbackDay)
        ? fallbackDay
        : ([...days].reverse().find((d) => busyDays.has(d) && d <= todayDate) ?? fallbackDay);

  const afterLogged = () => {
    worklogs.reload();
    feed.reload();
  };

  return (
    <>
      <PageHeader title="My Work">
        <Button
          onClick={() =>
            setDraft({ issue_key: '', start_date: days.includes(todayDate) ? todayDate : monday, start_time: '09:00', duration: '1h', description: '' })
          }
        >
          <Plus aria-hidden="true" />
          Log time
        </Button>
      </PageHeader>
      {gitlab && <GitLabConnection link={gitlab} onChange={() => (integrations.reload(), feed.reload())} />}
      <div class="week-nav">
        <Button variant="outline" class="icon-button" aria-label="Previous week" onClick={() => go({ week: addDays(monday, -7), day: null })}>
          <ChevronLeft aria-hidden="true" />
        </Button>
        <h2 class="week-label" aria-live="polite">
          {formatDate(monday)} – {formatDate(sunday)}
        </h2>
        <Button variant="outline" class="icon-button" aria-label="Next week" onClick={() => go({ week: addDays(monday, 7), day: null })}>
          <ChevronRight aria-hidden="true" />
        </Button>
        {!days.includes(todayDate) && (
          <Button variant="ghost" onClick={() => go({ week: null, day: null })}>
            This week
          </Button>
        )}
      </div>
      <Tabs current={tab} onSelect={(t) => go({ tab: t === 'feed' ? null : t })} />
      <div
        role="tabpanel"
        id={`panel-${tab}`}
        aria-labelledby={`tab-${tab}`}
        class="tab-panel"
        tabIndex={0}
        aria-busy={(tab === 'feed' ? feed.loading : tab === 'timesheet' ? worklogs.loading : feed.loading || worklogs.loading) ? 'true' : undefined}
      >
        {tab === 'feed' &&
          (feedAvailable ? (
            <ActivityFeed feed={feed} timeZone={user.timezone} onLogged={afterLogged} />
          ) : (
            <Notice kind="info" title="The GitLab integration is not installed.">
              When an administrator installs it, potential worklogs from your GitLab activity appear here.
            </Notice>
          ))}
        {tab === 'timesheet' && (
          <>
            <ErrorNotice error={worklogs.error} action="Loading worklogs" />
            {worklogs.loading && !worklogs.data && <Loading label="Loading worklogs…" />}
            {worklogs.data && <Timesheet days={days} worklogs={worklogs.data} today={todayDate} onEdit={(w) => setDraft(draftOf(w))} />}
          </>
        )}
        {tab === 'timeline' && (
          <Timeline
            days={days}
            day={day}
            onDay={(d) => go({ day: d })}
            timeZone={user.timezone}
            suggestions={feed.data?.suggestions ?? []}
            worklogs={worklogs.data ?? []}
            loading={feed.loading || worklogs.loading}
          />
        )}
      </div>
      <WorklogDialog draft={draft} onClose={() => setDraft(null)} onSaved={() => worklogs.reload()} />
    </>
  );
}

function draftOf(w: Worklog): WorklogDraft {
  return {
    id: w.id,
    issue_key: w.issue_key,
    start_date: w.start_date,
    start_time: w.start_time.slice(0, 5),
    duration: '',
    duration_seconds: w.duration_seconds,
    description: w.description,
  };
}

// WAI-ARIA tabs with automatic activation: arrows move between tabs.
function Tabs({ current, onSelect }: { current: TabKey; onSelect: (t: TabKey) => void }) {
  const [focusIndex, setFocusIndex] = useState<number | null>(null);
  useEffect(() => {
    if (focusIndex !== null) document.getElementById(`tab-${TABS[focusIndex].key}`)?.focus();
  }, [focusIndex, current]);
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.key === current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    onSelect(TABS[next].key);
    setFocusIndex(next);
  };
  const labels = useMemo(() => TABS, []);
  return (
    <div role="tablist" aria-label="My Work views" class="tabs" onKeyDown={onKey}>
      {labels.map((t) => (
        <button
          key={t.key}
          id={`tab-${t.key}`}
          type="button"
          role="tab"
          aria-selected={t.key === current ? 'true' : 'false'}
          aria-controls={t.key === current ? `panel-${t.key}` : undefined}
          tabIndex={t.key === current ? 0 : -1}
          onClick={() => onSelect(t.key)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
