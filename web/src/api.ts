// The worklog HTTP API (DESIGN §5): JSON in and out, errors as problem+json.
// The session cookie travels by itself; state-changing requests carry the CSRF token
// that POST /api/v1/session returned.

export type Role = 'admin' | 'user';

export interface PersonRef {
  id?: number;
  name?: string;
  email?: string;
}

export interface GitLabLink {
  connected: boolean;
  username?: string | null;
  connected_by?: 'self' | number | string | PersonRef | null;
  connected_by_name?: string | null;
  connected_at?: string | null;
}

// One installed integration with the caller's own connection (GET /api/v1/me/integrations).
export interface MyIntegration extends GitLabLink {
  key: string;
  gitlab_user_id?: number;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  timezone: string;
  integrations?: { gitlab?: GitLabLink & { installed?: boolean; organization_status?: string } };
}

export interface App {
  key: string;
  installed: boolean;
  early_access: boolean;
  enabled?: boolean;
}

export type OrganizationStatus = 'connected' | 'needs_reauthorization' | 'disconnected';

export interface Organization {
  status: OrganizationStatus;
  base_url?: string | null;
  gitlab_username?: string | null;
  connected_by?: number | string | PersonRef | null;
  connected_at?: string | null;
  last_error?: string | null;
}

// How the Activity Feed turns activity into time, for the whole organization (DESIGN §3.4, §3.6).
export interface FeedSettings {
  max_gap_minutes: number;
  lead_in_minutes: number;
  rounding_minutes: number;
  hours_per_day: number;
  days_per_week: number;
  updated_by?: number | null;
  updated_at?: string | null;
}

export interface Project {
  id: number;
  path_with_namespace: string;
  web_url: string;
  monitored: boolean;
  hook_status: string;
  hook_error?: string | null;
  backfilled?: boolean; // the history import on connect is done for this project
}

export interface StaffMember {
  id: number;
  email: string;
  name: string;
  role: Role;
  timezone?: string;
  integrations?: { gitlab?: { connected: boolean; username?: string | null } };
}

export interface Candidate {
  id: number;
  username?: string;
  name?: string;
  email?: string;
  web_url?: string;
  matched_by?: string;
}

export interface ConnectResult {
  user_id: number;
  result: string; // connected | no_match | ambiguous | already_connected | ...
  gitlab_username?: string;
  candidates?: Candidate[];
  detail?: string;
}

export interface Activity {
  key: string;
  kind: string;
  action?: string | null;
  occurred_at: string;
  title?: string | null;
  url?: string | null;
  project_path?: string | null;
}

export interface Suggestion {
  id: string;
  date: string;
  start_time: string;
  duration_seconds: number;
  issue_key: string | null;
  description: string;
  why: string;
  activities: Activity[];
}

export interface Feed {
  from: string;
  to: string;
  suggestions: Suggestion[];
}

export interface Worklog {
  id: number;
  user_id: number;
  issue_key: string;
  start_date: string;
  start_time: string;
  duration_seconds: number;
  description: string;
  origin: string;
  activity_keys: string[];
  created_at?: string;
  updated_at?: string;
}

export interface WorklogInput {
  issue_key: string;
  start_date: string;
  start_time: string;
  duration_seconds: number;
  description: string;
}

// An API failure, carrying the problem+json fields so pages can say what went wrong
// (detail), which field (field) and what to do next (hint()).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly field?: string,
    readonly retryAfter?: string,
  ) {
    super(detail || title);
  }

  // What the person can do about it.
  hint(): string {
    switch (this.status) {
      case 0:
        return 'Check your network connection and that the worklog server is running, then try again.';
      case 401:
        return 'Your session has ended. Sign in again.';
      case 403:
        return 'Reload the page and try again. If it keeps failing, ask an administrator for access.';
      case 404:
        return 'It may have been removed meanwhile. Reload the page to see the current state.';
      case 409:
        return 'Something changed meanwhile. Reload the page and try again.';
      case 422:
        return this.field ? `Correct the highlighted field (${this.field}) and try again.` : 'Correct the input and try again.';
      case 429:
        return this.retryAfter ? `Too many requests: wait ${this.retryAfter} seconds and try again.` : 'Too many requests: wait a moment and try again.';
      default:
        return this.status >= 500
          ? 'Try again in a moment. If it keeps failing, ask your administrator to check the server log.'
          : 'Try again.';
    }
  }
}

const CSRF_KEY = 'worklog.csrf';
let csrfToken: string | null = sessionStorage.getItem(CSRF_KEY);

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
  if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken);
  else sessionStorage.removeItem(CSRF_KEY);
}

// Called when any request answers 401, so the shell can go back to sign-in.
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Network error', 'The worklog server could not be reached.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const p = (data ?? {}) as { title?: string; detail?: string; field?: string };
    const error = new ApiError(
      response.status,
      p.title ?? response.statusText ?? 'Request failed',
      p.detail ?? p.title ?? `The server answered ${response.status} ${response.statusText}.`,
      p.field,
      response.headers.get('Retry-After') ?? undefined,
    );
    // A 401 on sign-in is a wrong password, and on /me merely "not signed in yet".
    if (response.status === 401 && path !== '/api/v1/session' && path !== '/api/v1/me') onUnauthorized();
    throw error;
  }
  return data as T;
}

const q = encodeURIComponent;

export const api = {
  signIn: (email: string, password: string) =>
    request<{ user: User; csrf_token: string }>('POST', '/api/v1/session', { email, password }),
  signOut: () => request<void>('DELETE', '/api/v1/session'),
  // Accepts either the user itself or {user, csrf_token}.
  me: async (): Promise<User> => {
    const data = await request<User & { user?: User; csrf_token?: string }>('GET', '/api/v1/me');
    if (data.csrf_token) setCsrfToken(data.csrf_token);
    return data.user ? { ...data.user, integrations: data.user.integrations ?? data.integrations } : data;
  },

  apps: () => request<App[] | { apps: App[] }>('GET', '/api/v1/apps').then((d) => (Array.isArray(d) ? d : d.apps)),
  installGitLab: () => request<unknown>('POST', '/api/v1/apps/gitlab/install'),
  uninstallGitLab: () => request<void>('DELETE', '/api/v1/apps/gitlab'),

  organization: () => request<Organization>('GET', '/api/v1/apps/gitlab/organization'),
  connectOrganization: (base_url: string, client_id: string, client_secret: string) =>
    request<{ authorize_url: string }>('POST', '/api/v1/apps/gitlab/organization/connect', {
      base_url,
      client_id,
      client_secret,
    }),
  disconnectOrganization: () => request<void>('DELETE', '/api/v1/apps/gitlab/organization'),
  feedSettings: () => request<FeedSettings>('GET', '/api/v1/apps/gitlab/settings'),
  saveFeedSettings: (settings: Partial<FeedSettings>) => request<FeedSettings>('PUT', '/api/v1/apps/gitlab/settings', settings),

  projects: () =>
    request<Project[] | { projects: Project[] }>('GET', '/api/v1/apps/gitlab/projects').then((d) =>
      Array.isArray(d) ? d : d.projects,
    ),
  setMonitored: (id: number, monitored: boolean) =>
    request<Project | undefined>('PUT', `/api/v1/apps/gitlab/projects/${id}`, { monitored }),

  staff: () =>
    request<StaffMember[] | { staff: StaffMember[] }>('GET', '/api/v1/staff').then((d) => (Array.isArray(d) ? d : d.staff)),
  addStaff: (member: { email: string; name: string; role: Role; timezone: string }) =>
    request<StaffMember>('POST', '/api/v1/staff', member),
  // `choices` picks a GitLab user for users whose e-mail matched several (result "ambiguous").
  connectStaff: (user_ids: number[], choices?: { user_id: number; gitlab_user_id: number }[]) =>
    request<ConnectResult[] | { results: ConnectResult[] }>(
      'POST',
      '/api/v1/staff/actions/connect-gitlab',
      choices ? { user_ids, choices } : { user_ids },
    ).then((d) => (Array.isArray(d) ? d : d.results)),
  disconnectStaff: (user_ids: number[]) =>
    request<ConnectResult[] | { results: ConnectResult[] } | undefined>('POST', '/api/v1/staff/actions/disconnect-gitlab', {
      user_ids,
    }).then((d) => (d === undefined ? undefined : Array.isArray(d) ? d : d.results)),

  myIntegrations: () =>
    request<MyIntegration[] | { integrations: MyIntegration[] }>('GET', '/api/v1/me/integrations').then((d) =>
      Array.isArray(d) ? d : d.integrations,
    ),
  connectMyGitLab: () => request<{ authorize_url: string }>('POST', '/api/v1/me/integrations/gitlab/connect'),
  disconnectMyGitLab: () => request<void>('DELETE', '/api/v1/me/integrations/gitlab'),

  feed: (from: string, to: string) => request<Feed>('GET', `/api/v1/me/activity-feed?from=${q(from)}&to=${q(to)}`),
  logSuggestion: (
    id: string,
    edits: { issue_key?: string; start?: string; duration_seconds?: number; description?: string },
  ) => request<Worklog>('POST', `/api/v1/me/activity-feed/${q(id)}/log`, edits),
  dismissSuggestion: (id: string) => request<void>('POST', `/api/v1/me/activity-feed/${q(id)}/dismiss`),

  worklogs: (from: string, to: string) =>
    request<Worklog[] | { worklogs: Worklog[] }>('GET', `/api/v1/worklogs?from=${q(from)}&to=${q(to)}`).then((d) =>
      Array.isArray(d) ? d : d.worklogs,
    ),
  createWorklog: (input: WorklogInput) => request<Worklog>('POST', '/api/v1/worklogs', input),
  updateWorklog: (id: number, input: WorklogInput) => request<Worklog>('PUT', `/api/v1/worklogs/${id}`, input),
  deleteWorklog: (id: number) => request<void>('DELETE', `/api/v1/worklogs/${id}`),
};

export function errorOf(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(-1, 'Unexpected error', e instanceof Error ? e.message : String(e));
}
