// Starts the real `worklog serve` for a test: free port on 127.0.0.1, fresh data directory
// and SQLite database, the built UI from web/dist.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WEB_DIST = process.env.WORKLOG_WEB_DIST || new URL('../../../web/dist', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Polls `check` until it returns a truthy value or `ms` pass.
export async function waitFor(what, check, ms = 30000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export async function startWorklog({ binary = process.env.WORKLOG_BINARY, webDir = WEB_DIST } = {}) {
  if (!binary || !existsSync(binary)) throw new Error(`worklog binary not found (WORKLOG_BINARY=${binary ?? ''}); build it first`);
  if (!existsSync(join(webDir, 'index.html'))) throw new Error(`the UI is not built in ${webDir}: run \`make web\` (npm run build in web/)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'worklog-e2e-data-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['serve', '--db', `sqlite:${join(dataDir, 'worklog.db')}`, '--listen', `127.0.0.1:${port}`, '--public-url', url, '--data-dir', dataDir, '--web-dir', webDir];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      await waitFor('worklog serve to stop', () => exited !== null, 10000).catch(() => child.kill('SIGKILL'));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor('worklog serve to answer /healthz', async () => {
      if (exited) throw new Error(`worklog serve exited (${JSON.stringify(exited)}):\n${output}`);
      const r = await fetch(`${url}/healthz`);
      return r.ok;
    });
    const passwordFile = join(dataDir, 'initial-admin-password');
    const password = await waitFor('the initial administrator password file', () => existsSync(passwordFile) && readFileSync(passwordFile, 'utf8').trim());
    const db = `sqlite:${join(dataDir, 'worklog.db')}`;
    return { url, dataDir, db, binary, admin: { email: 'admin@localhost', password }, output: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// `worklog user add` on the server's database, with a password (for signing in as that user).
export function addUser(server, { email, name, role = 'user', timezone = 'UTC', password }) {
  return new Promise((resolve, reject) => {
    const child = spawn(server.binary, ['user', 'add', '--db', server.db, '--email', email, '--name', name, '--role', role, '--timezone', timezone, '--password-stdin'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`worklog user add exited ${code}: ${output}`))));
    child.stdin.end(`${password}\n`);
  });
}
