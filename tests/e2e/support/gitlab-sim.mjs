// Starts `worklog gitlab-sim --seed demo` for a test and reads what it prints: its URL, the
// demo OAuth application (whose redirect URI points at the worklog under test) and the demo
// accounts.
import { spawn } from 'node:child_process';
import { waitFor } from './server.mjs';

export async function startGitLabSim({ binary = process.env.WORKLOG_BINARY, redirectUri }) {
  const child = spawn(binary, ['gitlab-sim', '--listen', '127.0.0.1:0', '--seed', 'demo', '--oauth-redirect-uri', redirectUri], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const stop = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    await waitFor('gitlab-sim to stop', () => exited !== null, 15000).catch(async () => {
      child.kill('SIGKILL');
      await waitFor('gitlab-sim to be killed', () => exited !== null, 5000);
    });
  };
  try {
    await waitFor('gitlab-sim to print "ready"', () => {
      if (exited) throw new Error(`gitlab-sim exited (${JSON.stringify(exited)}):\n${output}`);
      return /^ready$/m.test(output);
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const field = (name) => new RegExp(`^${name}: (\\S+)$`, 'm').exec(output)?.[1];
  const accounts = [...output.matchAll(/^sign_in: (\S+) \/ (\S+) \((\S+@\S+); (.*)\)$/gm)].map((m) => ({
    username: m[1],
    password: m[2],
    email: m[3],
    role: m[4],
  }));
  return {
    url: field('url'),
    rootToken: field('root_token'),
    clientId: field('oauth_client_id'),
    clientSecret: field('oauth_client_secret'),
    accounts,
    account: (username) => accounts.find((a) => a.username === username),
    stop,
  };
}
