// A day timeline: activities as ticks, estimated sessions (the Activity Feed's potential
// worklogs) and logged worklogs as blocks, on one time axis in the user's time zone.
import type { Suggestion, Worklog } from '../../api';
import { Loading } from '../../components/ui';
import { addSecondsToTime, formatDay, formatDuration, formatShortDay, hhmm, localParts, minutesOfDay } from '../../time';

interface Item {
  lane: 0 | 1 | 2;
  start: number; // minutes since midnight
  end: number;
  label: string;
  detail: string;
}

const LANES = ['Activities', 'Estimated sessions', 'Logged'];
const WIDTH = 1000;
const LEFT = 150;
const RIGHT = 12;
const TOP = 30;
const LANE_HEIGHT = 46;

export function Timeline({
  days,
  day,
  onDay,
  timeZone,
  suggestions,
  worklogs,
  loading,
}: {
  days: string[];
  day: string;
  onDay: (d: string) => void;
  timeZone: string;
  suggestions: Suggestion[];
  worklogs: Worklog[];
  loading: boolean;
}) {
  const items: Item[] = [];
  for (const s of suggestions) {
    for (const a of s.activities) {
      const local = localParts(new Date(a.occurred_at), timeZone);
      if (local.date !== day) continue;
      items.push({ lane: 0, start: local.minutes, end: local.minutes, label: a.title || a.kind, detail: [a.kind.replace(/_/g, ' '), a.action, a.project_path].filter(Boolean).join(' · ') });
    }
    if (s.date === day) {
      const start = minutesOfDay(s.start_time);
      items.push({
        lane: 1,
        start,
        end: start + s.duration_seconds / 60,
        label: s.issue_key ?? 'No issue',
        detail: `${formatDuration(s.duration_seconds)} estimated from ${s.activities.length} ${s.activities.length === 1 ? 'activity' : 'activities'}`,
      });
    }
  }
  for (const w of worklogs) {
    if (w.start_date !== day) continue;
    const start = minutesOfDay(w.start_time);
    items.push({ lane: 2, start, end: start + w.duration_seconds / 60, label: w.issue_key, detail: `${formatDuration(w.duration_seconds)} logged${w.description ? `: ${w.description}` : ''}` });
  }
  items.sort((a, b) => a.start - b.start || a.lane - b.lane);

  // Show 08:00–18:00 at least, widened to whatever the day holds.
  const from = Math.max(0, Math.floor(Math.min(8 * 60, ...items.map((i) => i.start - 30)) / 60) * 60);
  const to = Math.min(24 * 60, Math.ceil(Math.max(18 * 60, ...items.map((i) => i.end + 30)) / 60) * 60);
  const x = (minutes: number) => LEFT + ((minutes - from) / (to - from)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + LANES.length * LANE_HEIGHT + 8;
  const hours: number[] = [];
  for (let h = from / 60; h <= to / 60; h++) hours.push(h);
  const counts = LANES.map((_, lane) => items.filter((i) => i.lane === lane).length);
  const summary = `Timeline of ${formatDay(day)}: ${counts[0]} activities, ${counts[1]} estimated sessions, ${counts[2]} worklogs.`;

  return (
    <div class="timeline">
      <div class="day-picker" role="group" aria-label="Day">
        {days.map((d) => (
          <button key={d} type="button" class={d === day ? '' : 'outline'} aria-pressed={d === day ? 'true' : 'false'} onClick={() => onDay(d)}>
            {formatShortDay(d)}
          </button>
        ))}
      </div>
      {loading && items.length === 0 ? (
        <Loading label="Loading the day…" />
      ) : (
        <>
          <svg class="timeline-chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={summary}>
            {hours.map((h) => (
              <g key={h} class="hour">
                <line x1={x(h * 60)} x2={x(h * 60)} y1={TOP - 6} y2={height - 8} />
                <text x={x(h * 60)} y={TOP - 12} text-anchor="middle">
                  {String(h).padStart(2, '0')}
                </text>
              </g>
            ))}
            {LANES.map((name, lane) => (
              <g key={name} class={`lane lane-${lane}`}>
                <rect class="lane-bg" x={LEFT} y={TOP + lane * LANE_HEIGHT + 4} width={WIDTH - LEFT - RIGHT} height={LANE_HEIGHT - 8} rx={6} />
                <text class="lane-label" x={8} y={TOP + lane * LANE_HEIGHT + LANE_HEIGHT / 2 + 5}>
                  {name}
                </text>
              </g>
            ))}
            {items.map((item, i) => {
              const y = TOP + item.lane * LANE_HEIGHT + 10;
              if (item.lane === 0) {
                return (
                  <circle key={i} class="activity-dot" cx={x(item.start)} cy={y + (LANE_HEIGHT - 20) / 2} r={6}>
                    <title>{`${fmt(item.start)} ${item.label} (${item.detail})`}</title>
                  </circle>
                );
              }
              const w = Math.max(4, x(item.end) - x(item.start));
              return (
                <g key={i} class={item.lane === 1 ? 'block block-estimate' : 'block block-logged'}>
                  <rect x={x(item.start)} y={y} width={w} height={LANE_HEIGHT - 20} rx={4}>
                    <title>{`${fmt(item.start)}–${fmt(item.end)} ${item.label}: ${item.detail}`}</title>
                  </rect>
                  {w > 60 && (
                    <text x={x(item.start) + 6} y={y + (LANE_HEIGHT - 20) / 2 + 5}>
                      {item.label}
                    </text>
                  )}
                </g>
              );
            })}
          </svg>
          {items.length === 0 ? (
            <p class="muted">Nothing happened on {formatDay(day)}.</p>
          ) : (
            <div class="table-wrap">
              <table class="timeline-table">
                <caption class="visually-hidden">{summary}</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Kind</th>
                    <th scope="col">What</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item, i) => (
                    <tr key={i}>
                      <td class="num">{item.lane === 0 ? fmt(item.start) : `${fmt(item.start)}–${fmt(item.end)}`}</td>
                      <td>{LANES[item.lane]}</td>
                      <td>
                        <strong>{item.label}</strong> <span class="muted">{item.detail}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function fmt(minutes: number): string {
  return hhmm(addSecondsToTime('00:00:00', Math.round(minutes) * 60));
}
