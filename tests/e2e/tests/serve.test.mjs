// The real `worklog serve` (SQLite, fresh data directory, the built UI from web/dist)
// driven through Debian's Chromium: sign in with the generated administrator password,
// keep a timesheet, and check every page reached with axe-core. The browser runs under the
// server's own CSP, so a violation fails the test.
//
// Extend here as the backend grows: the seed flow against `worklog gitlab-sim` (install,
// connect the organization, Manage Staff, Activity Feed) reuses these helpers and
// support/browser.mjs; see pages.test.mjs for the steps against the DESIGN §5 contract.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowser } from '../support/browser.mjs';
import { startWorklog } from '../support/server.mjs';
import { checkPage, expectGone, expectText, expectVisible, signIn } from '../support/ui.mjs';

const haveBinary = Boolean(process.env.WORKLOG_BINARY);

describe('worklog serve through the UI', { skip: haveBinary ? false : 'set WORKLOG_BINARY to the built worklog binary' }, () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startWorklog();
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const today = () => page.evaluate(() => new Date().toISOString().slice(0, 10)); // browser runs in UTC

  it('serves the UI under its CSP and refuses a wrong password', async () => {
    const response = await page.goto(`${server.url}/my-work?tab=timesheet`);
    assert.equal(response.status(), 200, 'client routes answer index.html');
    assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await expectVisible(page.getByRole('heading', { name: 'Sign in' }));
    assert.equal(await page.getByText('Your session has ended').count(), 0, 'a first visit is not an expired session');
    await checkPage(page, 'serve-01-sign-in', browser);

    await page.getByLabel('Email').fill(server.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'That email and password do not match an account.');
  });

  it('the first administrator signs in with the generated password and logs time in the timesheet', async () => {
    await signIn(page, server.url, server.admin.email, server.admin.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expectVisible(nav.getByRole('link', { name: 'Manage Staff' }));
    await checkPage(page, 'serve-02-my-work', browser);

    await page.getByRole('tab', { name: 'Timesheet' }).click();
    const sheet = page.getByRole('tabpanel', { name: 'Timesheet' });
    await expectText(sheet, 'No time logged this week.');
    const day = await today();

    const logTime = async ({ issue, start, duration, description }) => {
      await page.getByRole('button', { name: 'Log time', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Log time' });
      await dialog.getByLabel('Issue').fill(issue);
      await dialog.getByLabel('Date').fill(day);
      await dialog.getByLabel('Start').fill(start);
      await dialog.getByLabel('Duration').fill(duration);
      await dialog.getByLabel('Description').fill(description);
      await dialog.getByRole('button', { name: 'Log time' }).click();
      return dialog;
    };

    await expectGone(await logTime({ issue: 'PROJ-7', start: '09:30', duration: '1h 30m', description: 'Fix login redirect' }));
    await expectText(sheet.getByRole('row', { name: /PROJ-7/ }), '1h 30m');
    await expectText(sheet.locator(`tfoot td[data-day="${day}"]`), '1h 30m');

    await expectGone(await logTime({ issue: 'OPS-12', start: '13:00', duration: '45m', description: 'Rotate certificates' }));
    await expectText(sheet.locator(`tfoot td[data-day="${day}"]`), '2h 15m');
    await checkPage(page, 'serve-03-timesheet', browser);

    // The server's refusal (problem+json) is shown with its detail and the field marked.
    const refused = await logTime({ issue: 'PROJ-8', start: '15:00', duration: '25h', description: 'Too long' });
    await expectVisible(refused.getByRole('alert'));
    await expectText(refused.getByRole('alert'), /Logging time failed: \S/);
    assert.equal(await refused.getByLabel('Duration').getAttribute('aria-invalid'), 'true');
    await checkPage(page, 'serve-04-log-time-refused', browser);
    await refused.getByRole('button', { name: 'Cancel' }).click();
    await expectGone(refused);

    // Edit a worklog: the timesheet follows, and a reload shows what the server stored.
    await sheet.getByRole('button', { name: /^Edit OPS-12 worklog/ }).click();
    const edit = page.getByRole('dialog', { name: 'Edit worklog' });
    await edit.getByLabel('Duration').fill('1h');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expectGone(edit);
    await expectText(sheet.locator(`tfoot td[data-day="${day}"]`), '2h 30m');
    await page.reload();
    await expectText(page.getByRole('tabpanel', { name: 'Timesheet' }).locator(`tfoot td[data-day="${day}"]`), '2h 30m');

    // Delete one.
    await page.getByRole('button', { name: /^Edit PROJ-7 worklog/ }).click();
    const remove = page.getByRole('dialog', { name: 'Edit worklog' });
    await remove.getByRole('button', { name: 'Delete' }).click();
    await remove.getByRole('button', { name: 'Delete for good' }).click();
    await expectGone(remove);
    await expectText(page.locator(`tfoot td[data-day="${day}"]`), /^1h$/);

    await page.getByRole('tab', { name: 'Timeline' }).click();
    await expectVisible(page.getByRole('img', { name: /Timeline of .*1 worklogs\./ }));
    await checkPage(page, 'serve-05-timeline', browser);

    // Apps › GitLab › Organization: the organization's time estimate settings. A refused
    // value is marked and nothing changes; a saved one is what the server shows after a reload.
    await page.getByRole('link', { name: 'Apps' }).click();
    const tile = page.getByRole('article', { name: 'GitLab integration' });
    await tile.getByRole('button', { name: 'Install', exact: true }).click();
    await tile.getByRole('link', { name: 'Organization' }).click();
    const estimates = page.getByRole('article', { name: 'Time estimates' });
    await expectVisible(estimates);
    await estimates.getByLabel('Round suggestions to (minutes)').fill('0');
    await estimates.getByRole('button', { name: 'Save time estimates' }).click();
    await expectText(estimates.getByRole('alert'), /rounding/);
    assert.equal(await estimates.getByLabel('Round suggestions to (minutes)').getAttribute('aria-invalid'), 'true');
    await estimates.getByLabel('Round suggestions to (minutes)').fill('10');
    await estimates.getByLabel('Gap that ends a session (minutes)').fill('90');
    await estimates.getByRole('button', { name: 'Save time estimates' }).click();
    await expectText(estimates.getByRole('status'), 'Time estimate settings saved.');
    await checkPage(page, 'serve-06-time-estimates', browser);
    await page.reload();
    const reloaded = page.getByRole('article', { name: 'Time estimates' });
    await expectVisible(reloaded.getByLabel('Gap that ends a session (minutes)'));
    assert.equal(await reloaded.getByLabel('Gap that ends a session (minutes)').inputValue(), '90');
    assert.equal(await reloaded.getByLabel('Round suggestions to (minutes)').inputValue(), '10');
    assert.equal(await reloaded.getByLabel('Session lead-in (minutes)').inputValue(), '30');

    await page.getByRole('link', { name: 'User settings' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'User settings' }));
    await expectText(page.getByRole('region', { name: 'Applications' }), server.admin.email);
    await checkPage(page, 'serve-07-user-settings', browser);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Sign in' }));
    // Signed out for real: the API no longer knows this browser.
    const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(status, 401);
  });
});
