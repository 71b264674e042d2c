// Dates as the API speaks them: "YYYY-MM-DD" calendar days and "HH:MM:SS" times of day in
// the user's time zone; instants in UTC (RFC 3339).

const pad = (n: number) => String(n).padStart(2, '0');

// Calendar arithmetic on "YYYY-MM-DD" strings, done in UTC so no local DST interferes.
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

// Monday of the week that holds `date`.
export function weekStart(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((day + 6) % 7));
}

export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

// Today's date in `timeZone`.
export function today(timeZone: string): string {
  return localParts(new Date(), timeZone).date;
}

// The calendar date and time of day of an instant in `timeZone`.
export function localParts(instant: Date, timeZone: string): { date: string; time: string; minutes: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(instant);
  } catch {
    return localParts(instant, 'UTC');
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const hour = Number(get('hour')) % 24;
  const minute = Number(get('minute'));
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${pad(hour)}:${pad(minute)}:${get('second')}`,
    minutes: hour * 60 + minute,
  };
}

export function minutesOfDay(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h || 0) * 60 + (m || 0);
}

export function hhmm(time: string): string {
  return time.slice(0, 5);
}

export function addSecondsToTime(time: string, seconds: number): string {
  const total = Math.min(minutesOfDay(time) + Math.round(seconds / 60), 24 * 60);
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

// 5400 -> "1h 30m"; 0 -> "0m".
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return `${h}h ${m}m`;
  if (h) return `${h}h`;
  return `${m}m`;
}

// "1h 30m", "1.5h", "90m", "90", "1:30" -> seconds; null when it cannot be read.
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  let m = /^(\d+):([0-5]\d)$/.exec(t);
  if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60;
  if (/^\d+$/.test(t)) return Number(t) * 60;
  m = /^(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+)\s*m)?$/.exec(t);
  if (m && (m[1] || m[2])) return Math.round(Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60);
  return null;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
const shortDayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', timeZone: 'UTC' });
const rangeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

export function formatDay(date: string): string {
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

export function formatShortDay(date: string): string {
  return shortDayFormat.format(new Date(`${date}T00:00:00Z`));
}

export function formatDate(date: string): string {
  return rangeFormat.format(new Date(`${date}T00:00:00Z`));
}

// An RFC 3339 instant as a date (and time) in `timeZone`, e.g. "24 Nov 2026, 09:30".
export function formatInstant(instant: string | null | undefined, timeZone?: string): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
  } catch {
    return d.toISOString();
  }
}
