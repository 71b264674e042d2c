// An in-memory stand-in for worklog's HTTP API (DESIGN §5), used to drive every page of
// the UI through states the real server reaches only with GitLab behind it (connected
// organization, ambiguous matches, revoked tokens). It serves web/dist exactly as
// `worklog serve` does: the same Content-Security-Policy, index.html for client routes.
// Tests against the real server live in serve.test.mjs.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { WEB_DIST } from './server.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const SECURITY = {
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function seedState(today) {
  const day = (offset) => {
    const d = new Date(`${today}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + offset);
    return d.toISOString().slice(0, 10);
  };
  return {
    users: [
      { id: 1, email: 'admin@localhost', name: 'Ada Admin', role: 'admin', timezone: 'UTC', password: 'admin-password' },
      { id: 2, email: 'dev@example.com', name: 'Devi Developer', role: 'user', timezone: 'UTC', password: 'dev-password' },
      { id: 3, email: 'sam@example.com', name: 'Sam Shared', role: 'user', timezone: 'UTC', password: 'sam-password' },
      { id: 4, email: 'nomatch@example.com', name: 'Noor Nomatch', role: 'user', timezone: 'UTC', password: 'x-password' },
    ],
    installed: false,
    org: { status: 'disconnected' },
    feedSettings: { max_gap_minutes: 120, lead_in_minutes: 30, rounding_minutes: 15, hours_per_day: 8, days_per_week: 5, updated_by: null, updated_at: null },
    gitlab: {}, // user id -> {username, connected_by, connected_at}
    projects: [
      { id: 11, path_with_namespace: 'acme/api', web_url: 'https://gitlab.example/acme/api', monitored: true, hook_status: 'active', backfilled: true },
      { id: 12, path_with_namespace: 'acme/web', web_url: 'https://gitlab.example/acme/web', monitored: true, hook_status: 'active', backfilled: true },
      { id: 13, path_with_namespace: 'acme/legacy', web_url: 'https://gitlab.example/acme/legacy', monitored: true, hook_status: 'failed', hook_error: 'GitLab answered 422: Invalid url given', backfilled: true },
    ],
    // GitLab users by e-mail: one match, two matches, none.
    gitlabUsers: [
      { id: 101, username: 'devi', name: 'Devi Developer', email: 'dev@example.com' },
      { id: 102, username: 'sam', name: 'Sam Shared', email: 'sam@example.com' },
      { id: 103, username: 'sam-bot', name: 'Sam (bot)', email: 'sam@example.com' },
      { id: 104, username: 'ada', name: 'Ada Admin', email: 'admin@localhost' },
    ],
    suggestions: [
      {
        user_id: 1,
        id: 's1',
        date: day(0),
        start_time: '09:00:00',
        duration_seconds: 5400,
        issue_key: 'PROJ-7',
        description: 'Fix login redirect',
        why: '3 activities in one session from 09:30 to 10:30; 30 min lead-in before the first; rounded to 15 min.',
        activities: [
          { key: 'c1', kind: 'commit', action: null, occurred_at: `${day(0)}T09:30:00Z`, title: 'PROJ-7 fix login redirect', url: 'https://gitlab.example/acme/api/-/commit/c1', project_path: 'acme/api' },
          { key: 'm1', kind: 'merge_request', action: 'opened', occurred_at: `${day(0)}T10:00:00Z`, title: 'PROJ-7: Fix login redirect', url: 'https://gitlab.example/acme/api/-/merge_requests/4', project_path: 'acme/api' },
          { key: 'n1', kind: 'review', action: 'commented', occurred_at: `${day(0)}T10:30:00Z`, title: 'Review on !4', url: null, project_path: 'acme/api' },
        ],
      },
      {
        user_id: 1,
        id: 's2',
        date: day(0),
        start_time: '13:00:00',
        duration_seconds: 1800,
        issue_key: 'OPS-12',
        description: 'Rotate certificates',
        why: '1 activity; 30 min lead-in.',
        activities: [{ key: 'c2', kind: 'commit', action: null, occurred_at: `${day(0)}T13:30:00Z`, title: 'OPS-12 rotate certs', url: null, project_path: 'acme/ops' }],
      },
      {
        user_id: 1,
        id: 's3',
        date: day(0),
        start_time: '15:00:00',
        duration_seconds: 900,
        issue_key: null,
        description: 'Update README',
        why: 'No issue key in the commit message, branch or merge request.',
        activities: [{ key: 'c3', kind: 'commit', action: null, occurred_at: `${day(0)}T15:10:00Z`, title: 'Update README', url: null, project_path: 'acme/web' }],
      },
    ],
    worklogs: [],
    nextId: 100,
    failures: [], // {method, path, status, detail, field}
  };
}

export async function startFakeApi({ today, webDir = WEB_DIST }) {
  const state = seedState(today);
  const sessions = new Map(); // session id -> {userId, csrf}

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    let body = '';
    for await (const chunk of req) body += chunk;
    const send = (status, data, type = 'application/json') => {
      res.writeHead(status, { ...SECURITY, 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(data === undefined ? undefined : JSON.stringify(data));
    };
    const problem = (status, detail, field) =>
      send(status, { type: 'about:blank', title: { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Content' }[status] ?? 'Error', status, detail, ...(field ? { field } : {}) }, 'application/problem+json');

    if (!path.startsWith('/api/')) return serveStatic(webDir, path, res);

    const sid = /(?:^|;\s*)worklog_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const session = sid ? sessions.get(sid) : undefined;
    const me = session ? state.users.find((u) => u.id === session.userId) : undefined;
    const json = () => (body ? JSON.parse(body) : {});

    const failure = state.failures.findIndex((f) => f.method === req.method && f.path === path);
    if (failure >= 0) {
      const [f] = state.failures.splice(failure, 1);
      return problem(f.status, f.detail, f.field);
    }

    if (path === '/api/v1/session' && req.method === 'POST') {
      const { email, password } = json();
      const user = state.users.find((u) => u.email === email && u.password === password);
      if (!user) return problem(401, 'wrong e-mail or password');
      const id = randomBytes(16).toString('hex');
      const csrf = randomBytes(16).toString('hex');
      sessions.set(id, { userId: user.id, csrf });
      res.setHeader('Set-Cookie', `worklog_session=${id}; Path=/; HttpOnly; SameSite=Lax`);
      return send(200, { user: publicUser(user), csrf_token: csrf });
    }
    if (!me) return problem(401, 'sign in first');
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrf) return problem(403, 'missing or wrong CSRF token');
    const admin = me.role === 'admin';
    const adminOnly = () => (admin ? false : (problem(403, 'administrators only'), true));

    if (path === '/api/v1/session' && req.method === 'DELETE') {
      sessions.delete(sid);
      return send(204);
    }
    if (path === '/api/v1/me') return send(200, { user: publicUser(me), csrf_token: session.csrf });
    if (path === '/api/v1/me/integrations') return send(200, state.installed ? [{ key: 'gitlab', ...myGitLab(state, me) }] : []);
    if (path === '/api/v1/apps') return send(200, [{ key: 'gitlab', installed: state.installed, early_access: true }]);
    if (path === '/api/v1/apps/gitlab/install' && req.method === 'POST') {
      if (adminOnly()) return;
      state.installed = true;
      return send(200, { key: 'gitlab', installed: true, early_access: true });
    }
    if (path === '/api/v1/apps/gitlab' && req.method === 'DELETE') {
      if (adminOnly()) return;
      Object.assign(state, { installed: false, org: { status: 'disconnected' }, gitlab: {} });
      return send(204);
    }
    if (path.startsWith('/api/v1/apps/gitlab/') && !state.installed) return problem(404, 'the GitLab integration is not installed');
    if (path === '/api/v1/apps/gitlab/organization' && req.method === 'GET') {
      if (adminOnly()) return;
      return send(200, state.org);
    }
    if (path === '/api/v1/apps/gitlab/settings' && req.method === 'GET') {
      if (adminOnly()) return;
      return send(200, state.feedSettings);
    }
    if (path === '/api/v1/apps/gitlab/settings' && req.method === 'PUT') {
      if (adminOnly()) return;
      const next = { ...state.feedSettings, ...json() };
      const limits = { max_gap_minutes: [1, 1440], lead_in_minutes: [0, 480], rounding_minutes: [1, 60], hours_per_day: [1, 24], days_per_week: [1, 7] };
      for (const [field, [min, max]] of Object.entries(limits)) {
        if (!Number.isInteger(next[field]) || next[field] < min || next[field] > max) return problem(422, `${field}: must be between ${min} and ${max}`, field);
      }
      state.feedSettings = { ...next, updated_by: me.id, updated_at: new Date().toISOString() };
      return send(200, state.feedSettings);
    }
    if (path === '/api/v1/apps/gitlab/organization/connect' && req.method === 'POST') {
      if (adminOnly()) return;
      const { base_url, client_id, client_secret } = json();
      if (!/^https?:\/\/[^\s/]+/.test(base_url ?? '')) return problem(422, 'base_url: must be an http(s) URL such as https://gitlab.com', 'base_url');
      if (!client_id) return problem(422, 'client_id: must not be empty', 'client_id');
      if (!client_secret) return problem(422, 'client_secret: must not be empty', 'client_secret');
      // The real flow goes to GitLab's consent page and back through the callback; the fake
      // completes it at once and sends the browser where the callback would.
      state.org = { status: 'connected', base_url, gitlab_username: 'ada', connected_by: { id: me.id, name: me.name }, connected_at: new Date().toISOString() };
      return send(200, { authorize_url: '/apps/gitlab/organization?connected=1' });
    }
    if (path === '/api/v1/apps/gitlab/organization' && req.method === 'DELETE') {
      if (adminOnly()) return;
      state.org = { status: 'disconnected' };
      state.gitlab = {};
      return send(204);
    }
    if (path === '/api/v1/apps/gitlab/projects' && req.method === 'GET') {
      if (adminOnly()) return;
      if (state.org.status === 'disconnected') return problem(409, 'no GitLab organization is connected');
      return send(200, state.projects);
    }
    const projectMatch = /^\/api\/v1\/apps\/gitlab\/projects\/(\d+)$/.exec(path);
    if (projectMatch && req.method === 'PUT') {
      if (adminOnly()) return;
      const p = state.projects.find((x) => x.id === Number(projectMatch[1]));
      if (!p) return problem(404, 'no such project');
      p.monitored = Boolean(json().monitored);
      p.hook_status = p.monitored ? 'active' : 'none';
      return send(200, p);
    }
    if (path === '/api/v1/staff' && req.method === 'GET') {
      if (adminOnly()) return;
      return send(200, state.users.map((u) => ({ ...publicUser(u), integrations: { gitlab: { connected: Boolean(state.gitlab[u.id]), username: state.gitlab[u.id]?.username ?? null } } })));
    }
    if (path === '/api/v1/staff' && req.method === 'POST') {
      if (adminOnly()) return;
      const { email, name, role, timezone } = json();
      if (!/^[^@\s]+@[^@\s]+$/.test(email ?? '')) return problem(422, 'email: is not an e-mail address', 'email');
      if (state.users.some((u) => u.email === email)) return problem(409, `a user with e-mail ${email} already exists`);
      const user = { id: state.nextId++, email, name, role, timezone, password: '' };
      state.users.push(user);
      return send(201, publicUser(user));
    }
    if (path === '/api/v1/staff/actions/connect-gitlab' && req.method === 'POST') {
      if (adminOnly()) return;
      if (state.org.status !== 'connected') return problem(409, 'connect the GitLab organization first');
      const { user_ids, choices = [] } = json();
      const results = user_ids.map((id) => {
        const user = state.users.find((u) => u.id === id);
        const chosen = choices.find((c) => c.user_id === id);
        const matches = chosen ? state.gitlabUsers.filter((g) => g.id === chosen.gitlab_user_id) : state.gitlabUsers.filter((g) => g.email === user.email);
        if (matches.length === 0) return { user_id: id, result: 'no_match' };
        if (matches.length > 1) return { user_id: id, result: 'ambiguous', candidates: matches.map(({ id: gid, username, name }) => ({ id: gid, username, name, matched_by: 'email' })) };
        state.gitlab[id] = { username: matches[0].username, connected_by: me.id === id ? 'self' : { id: me.id, name: me.name }, connected_at: new Date().toISOString() };
        return { user_id: id, result: 'connected', gitlab_username: matches[0].username };
      });
      return send(200, results);
    }
    if (path === '/api/v1/staff/actions/disconnect-gitlab' && req.method === 'POST') {
      if (adminOnly()) return;
      const { user_ids } = json();
      const results = user_ids.map((id) => {
        const was = Boolean(state.gitlab[id]);
        delete state.gitlab[id];
        return { user_id: id, result: was ? 'disconnected' : 'not_connected' };
      });
      return send(200, results);
    }
    if (path === '/api/v1/me/integrations/gitlab/connect' && req.method === 'POST') {
      if (state.org.status !== 'connected') return problem(409, 'your organization is not connected to GitLab yet');
      const match = state.gitlabUsers.find((g) => g.email === me.email);
      state.gitlab[me.id] = { username: match?.username ?? me.email.split('@')[0], connected_by: 'self', connected_at: new Date().toISOString() };
      return send(200, { authorize_url: '/my-work?connected=1' });
    }
    if (path === '/api/v1/me/integrations/gitlab' && req.method === 'DELETE') {
      delete state.gitlab[me.id];
      return send(204);
    }
    if (path === '/api/v1/me/activity-feed' && req.method === 'GET') {
      if (!state.installed) return problem(404, 'the GitLab integration is not installed');
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(from ?? '')) return problem(422, 'from: must be a date YYYY-MM-DD', 'from');
      const mine = state.gitlab[me.id] ? state.suggestions.filter((s) => s.user_id === me.id && s.date >= from && s.date <= to) : [];
      return send(200, { from, to, suggestions: mine.map(({ user_id, ...s }) => s) });
    }
    const feedMatch = /^\/api\/v1\/me\/activity-feed\/([^/]+)\/(log|dismiss)$/.exec(path);
    if (feedMatch && req.method === 'POST') {
      const index = state.suggestions.findIndex((s) => s.id === feedMatch[1] && s.user_id === me.id);
      if (index < 0) return problem(404, 'no such suggestion');
      const s = state.suggestions[index];
      if (feedMatch[2] === 'dismiss') {
        state.suggestions.splice(index, 1);
        return send(204);
      }
      const edits = json();
      const issue = edits.issue_key ?? s.issue_key;
      if (!issue) return problem(422, 'issue_key: this suggestion names no issue; give one', 'issue_key');
      if (!/^[A-Z][A-Z0-9_]+-\d+$/.test(issue)) return problem(422, `issue_key: "${issue}" is not an issue key like PROJ-7`, 'issue_key');
      state.suggestions.splice(index, 1);
      const w = addWorklog(state, me, { issue_key: issue, start_date: s.date, start_time: edits.start ?? s.start_time, duration_seconds: edits.duration_seconds ?? s.duration_seconds, description: edits.description ?? s.description, origin: 'activity_feed', activity_keys: s.activities.map((a) => a.key) });
      return send(201, w);
    }
    if (path === '/api/v1/worklogs' && req.method === 'GET') {
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      return send(200, state.worklogs.filter((w) => w.user_id === me.id && w.start_date >= from && w.start_date <= to));
    }
    if (path === '/api/v1/worklogs' && req.method === 'POST') {
      const input = json();
      const invalid = validateWorklog(input);
      if (invalid) return problem(422, invalid.detail, invalid.field);
      return send(201, addWorklog(state, me, { ...input, origin: 'manual', activity_keys: [] }));
    }
    const worklogMatch = /^\/api\/v1\/worklogs\/(\d+)$/.exec(path);
    if (worklogMatch) {
      const w = state.worklogs.find((x) => x.id === Number(worklogMatch[1]) && x.user_id === me.id);
      if (!w) return problem(404, 'no such worklog');
      if (req.method === 'DELETE') {
        state.worklogs.splice(state.worklogs.indexOf(w), 1);
        return send(204);
      }
      if (req.method === 'PUT') {
        const input = json();
        const invalid = validateWorklog(input);
        if (invalid) return problem(422, invalid.detail, invalid.field);
        Object.assign(w, input, { updated_at: new Date().toISOString() });
        return send(200, w);
      }
    }
    return problem(404, `no route ${req.method} ${path}`);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    state,
    // The next `method path` answers `status` with this problem detail.
    failNext(method, path, status, detail, field) {
      state.failures.push({ method, path, status, detail, field });
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

function publicUser({ id, email, name, role, timezone }) {
  return { id, email, name, role, timezone };
}

// The caller's link as GET /api/v1/me/integrations describes it.
function myGitLab(state, me) {
  const link = state.gitlab[me.id];
  if (!link) return { connected: false };
  return {
    connected: true,
    username: link.username,
    connected_by: link.connected_by,
    connected_by_name: typeof link.connected_by === 'object' ? link.connected_by.name : null,
    connected_at: link.connected_at,
  };
}

function validateWorklog(input) {
  if (!/^[A-Z][A-Z0-9_]+-\d+$/.test(input.issue_key ?? '')) return { field: 'issue_key', detail: `issue_key: "${input.issue_key ?? ''}" is not an issue key like PROJ-7` };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.start_date ?? '')) return { field: 'start_date', detail: 'start_date: must be a date YYYY-MM-DD' };
  if (!/^\d{2}:\d{2}(:\d{2})?$/.test(input.start_time ?? '')) return { field: 'start_time', detail: 'start_time: must be HH:MM or HH:MM:SS' };
  if (!Number.isInteger(input.duration_seconds) || input.duration_seconds <= 0 || input.duration_seconds > 86400) return { field: 'duration_seconds', detail: 'duration_seconds: must be between 1 second and 24 hours' };
  return null;
}

function addWorklog(state, me, fields) {
  const now = new Date().toISOString();
  const w = { id: state.nextId++, user_id: me.id, ...fields, start_time: fields.start_time.length === 5 ? `${fields.start_time}:00` : fields.start_time, created_at: now, updated_at: now };
  state.worklogs.push(w);
  return w;
}

function serveStatic(root, path, res) {
  const file = normalize(join(root, path));
  const inside = file.startsWith(normalize(root));
  const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
  res.writeHead(200, { ...SECURITY, 'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream' });
  res.end(readFileSync(target));
}
