// `worklog demo`: the simulator and a server already connected to it, as a newcomer gets
// them from `make demo`. The two sign-ins it prints work: the administrator finds the
// organization connected and staff with the GitLab icon, the developer finds GitLab work in
// the Activity Feed. The screenshots of these pages are the README's (docs/screenshots/).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { openBrowser } from '../support/browser.mjs';
import { WEB_DIST, waitFor } from '../support/server.mjs';
import { checkPage, expectText, expectVisible, signIn } from '../support/ui.mjs';

const binary = process.env.WORKLOG_BINARY;

describe('worklog demo', { skip: binary ? false : 'set WORKLOG_BINARY to the built worklog binary' }, () => {
  let child;
  let output = '';
  let exited = null;
  let browser;
  let page;
  let demo;

  before(async () => {
    child = spawn(binary, ['demo', '--listen', '127.0.0.1:0', '--sim-listen', '127.0.0.1:0', '--web-dir', WEB_DIST], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code, signal) => (exited = { code, signal }));
    await waitFor('worklog demo to print "ready"', () => {
      if (exited) throw new Error(`worklog demo exited (${JSON.stringify(exited)}):\n${output}`);
      return /^worklog demo: ready at /m.test(output) && /^Data and logs: /m.test(output);
    }, 60000);
    const signInLine = (who) => {
      const m = new RegExp(`^  ${who}\\s+(\\S+) / (\\S+)$`, 'm').exec(output);
      assert.ok(m, `the demo prints the ${who} sign-in:\n${output}`);
      return { email: m[1], password: m[2] };
    };
    demo = {
      url: /^worklog demo: ready at (\S+)$/m.exec(output)[1],
      admin: signInLine('administrator'),
      developer: signInLine('developer'),
    };
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    if (child && exited === null) {
      child.kill('SIGTERM');
      await waitFor('worklog demo to stop', () => exited !== null, 15000).catch(() => child.kill('SIGKILL'));
    }
  });

  it('prints the URL, an administrator and a developer, and stops on SIGTERM', () => {
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(output, /The GitLab organization is connected/);
    assert.match(output, /[1-9]\d* staff members are connected with GitLab/);
  });

  it('the administrator finds the organization connected and staff connected', async () => {
    await signIn(page, demo.url, demo.admin.email, demo.admin.password);
    await page.goto(`${demo.url}/apps/gitlab/organization`);
    await expectText(page.locator('dl.facts'), '@alice');
    await expectText(page.locator('.backfill'), /GitLab history imported: 100%/, 60000);
    await checkPage(page, 'demo-01-organization', browser);
    await page.getByRole('navigation', { name: 'GitLab integration' }).getByRole('link', { name: 'Projects' }).click();
    await expectText(page.getByRole('status'), /(\d+) of \1 projects monitored/);
    await checkPage(page, 'demo-02-projects', browser);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage Staff' }).click();
    await expectVisible(page.getByRole('row', { name: /Carol Chen/ }).getByRole('img', { name: 'GitLab' }));
    await checkPage(page, 'demo-03-manage-staff', browser);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('the developer finds GitLab work in the Activity Feed', async () => {
    await signIn(page, demo.url, demo.developer.email, demo.developer.password);
    await expectText(page.getByRole('region', { name: 'GitLab' }), /Connected as @carol — connected by/);
    const cards = page.getByRole('tabpanel', { name: 'Activity Feed' }).getByRole('article');
    const found = await cards.first().waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
    if (!found) await page.getByRole('button', { name: 'Previous week' }).click();
    await expectVisible(cards.first(), 30000);
    await cards.first().getByText(/^Why\?/).click();
    await checkPage(page, 'demo-04-activity-feed', browser);
    // The timeline opens on the latest day with work, drawing activities and sessions.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const timeline = page.getByRole('tabpanel', { name: 'Timeline' });
    await expectVisible(timeline.getByRole('img', { name: /Timeline of .*: [1-9]\d* activit(y|ies), [1-9]\d* estimated sessions?/ }));
    await checkPage(page, 'demo-05-timeline', browser);
  });
});
