// Every page of DESIGN §1 through the UI, against the in-memory API of support/fake-api.mjs
// (the states that need GitLab behind the real server: connected organization, projects,
// ambiguous matches, revoked tokens, the Activity Feed). Each page is checked with axe-core,
// and the built UI runs under worklog's CSP: a violation fails the test.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { openBrowser } from '../support/browser.mjs';
import { startFakeApi } from '../support/fake-api.mjs';
import { checkPage, expectEventually, expectFocused, expectGone, expectText, expectVisible, signIn } from '../support/ui.mjs';

const today = new Date().toISOString().slice(0, 10); // the browser and the fake both run in UTC

describe('worklog UI pages', () => {
  let browser;
  let api;
  let page;

  before(async () => {
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    await api?.stop();
    api = await startFakeApi({ today });
    await browser.context.clearCookies();
    browser.problems.length = 0;
  });
  after(async () => {
    await api?.stop();
  });

  const connectOrganization = () => {
    api.state.installed = true;
    api.state.org = { status: 'connected', base_url: 'https://gitlab.example', gitlab_username: 'ada', connected_by: { id: 1, name: 'Ada Admin' }, connected_at: `${today}T08:00:00Z` };
  };

  it('an administrator installs GitLab, connects the organization, picks projects and disconnects', async () => {
    await page.goto(`${api.url}/`);
    await checkPage(page, 'pages-01-sign-in', browser);
    await signIn(page, api.url, 'admin@localhost', 'admin-password');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expectVisible(nav.getByRole('link', { name: 'Apps' }));
    await expectVisible(nav.getByRole('link', { name: 'Manage Staff' }));

    await nav.getByRole('link', { name: 'Apps' }).click();
    const tile = page.getByRole('article', { name: 'GitLab integration' });
    await expectText(tile, 'Early access');
    await tile.getByRole('button', { name: 'Install', exact: true }).click();
    await expectVisible(tile.getByRole('button', { name: 'Uninstall' }));
    assert.equal(api.state.installed, true);
    await checkPage(page, 'pages-02-apps-installed', browser);

    await tile.getByRole('link', { name: 'Organization' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Connect GitLab organization' }));
    assert.equal(await page.getByLabel('Redirect URI').inputValue(), `${api.url}/apps/gitlab/oauth/callback`);
    assert.equal(await page.getByLabel('Scopes').inputValue(), 'api read_user');
    await page.getByLabel('GitLab URL').fill('https://gitlab.example');
    await page.getByLabel('Application ID').fill('app-id');
    await page.getByLabel('Secret').fill('app-secret');
    await checkPage(page, 'pages-03-organization-connect-form', browser);

    // A refusal from the server shows its detail, marks the field, and says what to do next.
    api.failNext('POST', '/api/v1/apps/gitlab/organization/connect', 422, 'base_url: GitLab did not answer at this address', 'base_url');
    await page.getByRole('button', { name: 'Connect GitLab organization', exact: true }).click();
    const alert = page.getByRole('alert');
    await expectText(alert, /Connecting failed: .*GitLab did not answer at this address/);
    await expectText(alert, 'Correct the highlighted field');
    assert.equal(await page.getByLabel('GitLab URL').getAttribute('aria-invalid'), 'true');

    await page.getByRole('button', { name: 'Connect GitLab organization', exact: true }).click();
    await expectText(page.getByRole('status'), 'GitLab is connected.');
    const facts = page.locator('dl.facts');
    await expectText(facts, '@ada');
    await expectText(facts, 'Ada Admin');
    await checkPage(page, 'pages-04-organization-connected', browser);

    // The history import shows its progress in percent, and looks again until it is done.
    api.state.projects.forEach((p, i) => (p.backfilled = i === 0));
    await page.reload();
    await expectText(page.locator('.backfill'), 'Importing GitLab history: 33% (1 of 3 monitored projects)');
    await checkPage(page, 'pages-04-organization-backfill', browser);
    api.state.projects.forEach((p) => (p.backfilled = true));
    await expectText(page.locator('.backfill'), 'GitLab history imported: 100% (3 of 3 monitored projects).');

    // A revoked token: the tab tells the administrator and offers to connect again.
    Object.assign(api.state.org, { status: 'needs_reauthorization', last_error: 'invalid_grant: the token was revoked' });
    await page.reload();
    await expectText(page.getByRole('alert'), /GitLab no longer accepts worklog's access\.[\s\S]*GitLab said: invalid_grant: the token was revoked/);
    await expectVisible(page.getByRole('button', { name: 'Reconnect GitLab organization' }));
    await checkPage(page, 'pages-05-organization-needs-reauthorization', browser);
    api.state.org.status = 'connected';

    await page.getByRole('navigation', { name: 'GitLab integration' }).getByRole('link', { name: 'Projects' }).click();
    await expectText(page.getByRole('status'), '3 of 3 projects monitored');
    await page.getByLabel('Search projects').fill('leg');
    await expectGone(page.getByRole('link', { name: 'acme/api' }));
    await expectText(page.getByRole('row', { name: /acme\/legacy/ }), /Webhook failed\s*GitLab answered 422: Invalid url given/);
    await page.getByLabel('Search projects').fill('');
    // A refused change puts the switch back and says why.
    api.failNext('PUT', '/api/v1/apps/gitlab/projects/12', 503, 'the database is busy');
    await page.getByRole('switch', { name: 'Monitor acme/web' }).click();
    await expectText(page.getByRole('alert'), /Changing acme\/web failed: .*the database is busy/);
    await expectText(page.getByRole('status'), '3 of 3 projects monitored');
    assert.equal(await page.getByRole('switch', { name: 'Monitor acme/web' }).isChecked(), true);
    await page.getByRole('switch', { name: 'Monitor acme/web' }).click();
    await expectText(page.getByRole('status'), '2 of 3 projects monitored');
    await expectEventually(
      () => api.state.projects.find((p) => p.path_with_namespace === 'acme/web').monitored === false,
      'the change of acme/web to reach the API',
    );
    await checkPage(page, 'pages-06-projects', browser);

    await page.getByRole('navigation', { name: 'GitLab integration' }).getByRole('link', { name: 'Organization' }).click();
    await page.getByRole('button', { name: 'Disconnect organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect organization?' });
    await expectText(dialog, 'every user is disconnected from GitLab');
    await expectText(dialog, 'Worklogs already logged stay');
    await checkPage(page, 'pages-07-disconnect-dialog', browser);
    await page.keyboard.press('Escape');
    await expectGone(dialog);
    assert.equal(api.state.org.status, 'connected');
    await page.getByRole('button', { name: 'Disconnect organization' }).click();
    await dialog.getByRole('button', { name: 'Disconnect organization' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Connect GitLab organization' }));
    assert.equal(api.state.org.status, 'disconnected');
  });

  it('an administrator connects staff with GitLab from Manage Staff, picking among ambiguous matches', async () => {
    connectOrganization();
    await signIn(page, api.url, 'admin@localhost', 'admin-password');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage Staff' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Manage Staff' }));
    await expectVisible(page.getByRole('cell', { name: 'Devi Developer' }));
    await checkPage(page, 'pages-08-manage-staff', browser);

    for (const name of ['Devi Developer', 'Sam Shared', 'Noor Nomatch']) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await expectText(page.locator('.table-wrap [role="status"]'), '3 of 4 selected');

    // The Actions menu by keyboard: ArrowDown opens it on the first item, Enter chooses.
    const actions = page.getByRole('button', { name: 'Actions' });
    await actions.focus();
    await page.keyboard.press('ArrowDown');
    const menu = page.getByRole('menu', { name: 'Actions' });
    await expectVisible(menu);
    await expectFocused(menu.getByRole('menuitem', { name: 'Connect with GitLab' }));
    await checkPage(page, 'pages-09-actions-menu', browser);
    await page.keyboard.press('Enter');

    const results = page.getByRole('region', { name: /Connect with GitLab: 1 of 3 done/ });
    await expectVisible(results);
    await expectText(results.getByRole('listitem').filter({ hasText: 'Devi Developer' }), /Connected\s*as @devi/);
    await expectText(results.getByRole('listitem').filter({ hasText: 'Noor Nomatch' }), 'No GitLab user has this e-mail address');
    const sam = results.getByRole('listitem').filter({ hasText: 'Sam Shared' });
    await expectText(sam, 'Several GitLab users match');
    await checkPage(page, 'pages-10-connect-results', browser);
    await sam.getByRole('radio', { name: /@sam — Sam Shared/ }).check();
    await sam.getByRole('button', { name: 'Connect Sam Shared' }).click();
    await expectVisible(page.getByRole('region', { name: /Connect with GitLab: 2 of 3 done/ }));
    assert.equal(api.state.gitlab[3].username, 'sam');

    // The Integrations column shows the GitLab icon, named "GitLab", for connected users.
    const devi = page.getByRole('row', { name: /Devi Developer/ });
    await expectVisible(devi.getByRole('img', { name: 'GitLab' }));
    assert.equal(await page.getByRole('row', { name: /Noor Nomatch/ }).getByRole('img', { name: 'GitLab' }).count(), 0);

    await page.getByRole('button', { name: 'Add users' }).click();
    const add = page.getByRole('dialog', { name: 'Add users' });
    await add.getByLabel('Email', { exact: true }).fill('new@example.com');
    await add.getByLabel('Name', { exact: true }).fill('Nia New');
    await add.getByLabel('Role').selectOption('user');
    await checkPage(page, 'pages-11-add-users', browser);
    await add.getByRole('button', { name: 'Add user' }).click();
    await expectText(add.getByRole('status'), 'Added Nia New');
    await add.getByRole('button', { name: 'Done' }).click();
    await expectVisible(page.getByRole('cell', { name: 'Nia New' }));

    await page.getByRole('checkbox', { name: 'Select Sam Shared' }).uncheck();
    await page.getByRole('checkbox', { name: 'Select Noor Nomatch' }).uncheck();
    await actions.click();
    await menu.getByRole('menuitem', { name: 'Disconnect from GitLab' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disconnect from GitLab?' });
    await expectText(confirm, '1 user will be disconnected from GitLab: Devi Developer');
    await confirm.getByRole('button', { name: 'Disconnect from GitLab' }).click();
    await expectVisible(page.getByRole('region', { name: /Disconnect from GitLab: 1 of 1 done/ }));
    await expectGone(devi.getByRole('img', { name: 'GitLab' }));
    assert.equal(api.state.gitlab[2], undefined);
  });

  it('a user logs suggestions from the Activity Feed, keeps a timesheet and sees the day timeline', async () => {
    connectOrganization();
    api.state.gitlab[2] = { username: 'devi', connected_by: { id: 1, name: 'Ada Admin' }, connected_at: `${today}T08:05:00Z` };
    for (const s of api.state.suggestions) s.user_id = 2;
    await signIn(page, api.url, 'dev@example.com', 'dev-password');

    // Administrator pages are neither offered nor shown to users.
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Apps' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Manage Staff' }).count(), 0);
    await page.goto(`${api.url}/settings/staff`);
    await expectText(page.getByRole('status'), 'This page is for administrators.');
    await nav.getByRole('link', { name: 'My Work' }).click();

    const gitlab = page.getByRole('region', { name: 'GitLab' });
    await expectText(gitlab, /Connected as @devi — connected by Ada Admin on/);
    const feed = page.getByRole('tabpanel', { name: 'Activity Feed' });
    const proj7 = feed.getByRole('article', { name: /PROJ-7/ });
    await expectVisible(proj7);
    await proj7.getByText(/Why\? 3 activities/).click();
    await expectText(proj7, '3 activities in one session');
    await expectVisible(proj7.getByRole('link', { name: 'PROJ-7: Fix login redirect' }));
    await checkPage(page, 'pages-12-activity-feed', browser);

    // Log with an edited duration.
    await proj7.getByRole('button', { name: /^Log PROJ-7/ }).click();
    await proj7.getByLabel('Duration').fill('2h');
    await proj7.getByRole('button', { name: 'Log', exact: true }).click();
    await expectGone(feed.getByRole('article', { name: /PROJ-7/ }));
    const logged = api.state.worklogs.find((w) => w.issue_key === 'PROJ-7');
    assert.equal(logged.duration_seconds, 7200);
    assert.equal(logged.origin, 'activity_feed');

    // A suggestion without an issue needs one before it can be logged.
    const readme = feed.getByRole('article', { name: /No issue/ });
    await readme.getByRole('button', { name: /^Log suggestion/ }).click();
    await readme.getByLabel('Issue').fill('DOC-3');
    await readme.getByRole('button', { name: 'Log', exact: true }).click();
    await expectGone(feed.getByRole('article', { name: /No issue/ }));

    await feed.getByRole('button', { name: 'Log all keyed (1)' }).click();
    await expectText(feed.getByRole('status').first(), 'Logged 1 of 1.');
    await expectText(feed, 'Nothing to log this week.');

    // The My Work tabs follow the arrow keys.
    await page.getByRole('tab', { name: 'Activity Feed' }).focus();
    await page.keyboard.press('ArrowRight');
    await expectVisible(page.getByRole('tab', { name: 'Timesheet', selected: true }));
    await expectFocused(page.getByRole('tab', { name: 'Timesheet' }));
    const sheet = page.getByRole('tabpanel', { name: 'Timesheet' });
    await expectText(sheet.getByRole('row', { name: /PROJ-7/ }), '2h');
    await expectText(sheet.locator(`tfoot td[data-day="${today}"]`), '2h 45m');
    await checkPage(page, 'pages-13-timesheet', browser);

    // A failing save says what happened and what to do, and keeps the dialog's input.
    api.failNext('POST', '/api/v1/worklogs', 503, 'the database is busy');
    await page.getByRole('button', { name: 'Log time' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log time' });
    await dialog.getByLabel('Issue').fill('PROJ-9');
    await dialog.getByLabel('Duration').fill('30m');
    await dialog.getByRole('button', { name: 'Log time' }).click();
    await expectText(dialog.getByRole('alert'), /Logging time failed: the database is busy.*Try again in a moment/);
    await checkPage(page, 'pages-14-log-time-error', browser);
    await dialog.getByRole('button', { name: 'Log time' }).click();
    await expectGone(dialog);
    await expectText(sheet.locator(`tfoot td[data-day="${today}"]`), '3h 15m');

    await page.getByRole('tab', { name: 'Timeline' }).click();
    const timeline = page.getByRole('tabpanel', { name: 'Timeline' });
    await expectVisible(timeline.getByRole('img', { name: /Timeline of .*: 0 activities, 0 estimated sessions, 4 worklogs\./ }));
    await checkPage(page, 'pages-15-timeline', browser);

    // Disconnect GitLab for oneself.
    await gitlab.getByRole('button', { name: 'Disconnect GitLab' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disconnect GitLab?' });
    await confirm.getByRole('button', { name: 'Disconnect GitLab' }).click();
    await expectVisible(gitlab.getByRole('button', { name: 'Connect GitLab', exact: true }));
    assert.equal(api.state.gitlab[2], undefined);

    await page.getByRole('link', { name: 'User settings' }).click();
    const apps = page.getByRole('region', { name: 'Applications' });
    await expectText(apps, /GitLab integration\s*Not connected/);
    await checkPage(page, 'pages-16-user-settings-applications', browser);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Sign in' }));
  });

  it('an expired session sends the person back to sign in, saying why', async () => {
    await signIn(page, api.url, 'dev@example.com', 'dev-password');
    await page.getByRole('tab', { name: 'Timesheet' }).click();
    await browser.context.clearCookies();
    await page.getByRole('button', { name: 'Log time' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log time' });
    await dialog.getByLabel('Issue').fill('PROJ-1');
    await dialog.getByRole('button', { name: 'Log time' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Sign in' }));
    await expectText(page.getByRole('status'), 'Your session has ended. Sign in again to continue.');
    assert.equal(api.state.worklogs.length, 0);
  });

  it('a user connects their own GitLab account from My Work', async () => {
    connectOrganization();
    await signIn(page, api.url, 'dev@example.com', 'dev-password');
    const gitlab = page.getByRole('region', { name: 'GitLab' });
    await expectText(gitlab, 'Not connected.');
    await gitlab.getByRole('button', { name: 'Connect GitLab', exact: true }).click();
    await expectText(gitlab, /GitLab is connected\.[\s\S]*Connected as @devi on/);
    assert.equal(api.state.gitlab[2].connected_by, 'self');
    await checkPage(page, 'pages-17-my-gitlab-connected', browser);
  });
});
