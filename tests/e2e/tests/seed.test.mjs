// The seed ("Connecting to GitLab for Your Organization") through the UI, end to end: the
// real `worklog serve` and `worklog gitlab-sim --seed demo`, Debian's Chromium in between.
// An administrator installs the GitLab app, connects the organization through GitLab's
// OAuth consent (as alice, Owner of acme), sees the monitored projects, adds users in
// Manage Staff and connects them with GitLab; a connected user finds their GitLab work in
// the Activity Feed; disconnecting the organization removes the GitLab icons.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowser } from '../support/browser.mjs';
import { startGitLabSim } from '../support/gitlab-sim.mjs';
import { addUser, startWorklog } from '../support/server.mjs';
import { checkPage, expectGone, expectText, expectVisible, signIn } from '../support/ui.mjs';

const haveBinary = Boolean(process.env.WORKLOG_BINARY);

describe('the seed flow against gitlab-sim', { skip: haveBinary ? false : 'set WORKLOG_BINARY to the built worklog binary' }, () => {
  let server;
  let sim;
  let browser;
  let page;

  before(async () => {
    server = await startWorklog();
    sim = await startGitLabSim({ redirectUri: `${server.url}/apps/gitlab/oauth/callback` });
    // Carol signs in later to see her own Activity Feed, so she gets a password.
    await addUser(server, { email: 'carol@acme.example', name: 'Carol Developer', password: 'carol-password-1' });
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await sim?.stop();
    await server?.stop();
  });

  it('an administrator installs the app and connects the organization through GitLab', async () => {
    await signIn(page, server.url, server.admin.email, server.admin.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Apps' }).click();
    const tile = page.getByRole('article', { name: 'GitLab integration' });
    await expectText(tile, 'Early access');
    await tile.getByRole('button', { name: 'Install', exact: true }).click();
    await expectVisible(tile.getByRole('button', { name: 'Uninstall' }));
    await checkPage(page, 'seed-01-apps', browser);

    await tile.getByRole('link', { name: 'Organization' }).click();
    assert.equal(await page.getByLabel('Redirect URI').inputValue(), `${server.url}/apps/gitlab/oauth/callback`);
    assert.equal(await page.getByLabel('Scopes').inputValue(), 'api read_user');
    await page.getByLabel('GitLab URL').fill(sim.url);
    await page.getByLabel('Application ID').fill(sim.clientId);
    await page.getByLabel('Secret').fill(sim.clientSecret);
    await checkPage(page, 'seed-02-organization-form', browser);
    await page.getByRole('button', { name: 'Connect GitLab organization', exact: true }).click();

    // GitLab's own pages: sign in as the owner, then authorize.
    await page.waitForURL(`${sim.url}/**`);
    const alice = sim.account('alice');
    await page.getByLabel('Username or primary email').fill(alice.username);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /^Authorize/ }).click();

    await page.waitForURL(`${server.url}/apps/gitlab/organization**`);
    await expectText(page.getByRole('status'), 'GitLab is connected.');
    const facts = page.locator('dl.facts');
    await expectText(facts, '@alice');
    await expectText(facts, 'Administrator');
    await checkPage(page, 'seed-03-organization-connected', browser);

    await page.getByRole('navigation', { name: 'GitLab integration' }).getByRole('link', { name: 'Projects' }).click();
    const status = await expectText(page.getByRole('status'), /(\d+) of \1 projects monitored/, 30000);
    assert.ok(Number(/(\d+) of/.exec(status)[1]) > 0, 'alice owns projects');
    await checkPage(page, 'seed-04-projects', browser);
  });

  it('Manage Staff adds a user and connects users with GitLab by e-mail', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage Staff' }).click();
    await page.getByRole('button', { name: 'Add users' }).click();
    const add = page.getByRole('dialog', { name: 'Add users' });
    await add.getByLabel('Email', { exact: true }).fill('dave@acme.example');
    await add.getByLabel('Name', { exact: true }).fill('Dave Developer');
    await add.getByRole('button', { name: 'Add user' }).click();
    await expectText(add.getByRole('status'), 'Added Dave Developer');
    await add.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('checkbox', { name: 'Select Carol Developer' }).check();
    await page.getByRole('checkbox', { name: 'Select Dave Developer' }).check();
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Connect with GitLab' }).click();
    const results = page.getByRole('region', { name: /Connect with GitLab: \d of 2 done/ });
    await expectVisible(results);
    // Every selected user gets an outcome. Dave's address is not public in the demo GitLab,
    // so he may have no match; carol may match twice (public and commit e-mail): pick @carol.
    const carol = results.getByRole('listitem').filter({ hasText: 'Carol Developer' });
    const dave = results.getByRole('listitem').filter({ hasText: 'Dave Developer' });
    await expectText(dave, /Connected|No GitLab user has this e-mail address|Several GitLab users match/);
    if (/Several GitLab users match/.test(await carol.textContent())) {
      await checkPage(page, 'seed-05-manage-staff-ambiguous', browser);
      await carol.getByRole('radio', { name: /^@carol\b/ }).check();
      await carol.getByRole('button', { name: 'Connect Carol Developer' }).click();
    }
    await expectText(carol, /Connected\s*as @carol/);
    await expectVisible(page.getByRole('row', { name: /Carol Developer/ }).getByRole('img', { name: 'GitLab' }));
    if (/Connected/.test(await dave.textContent())) {
      await expectVisible(page.getByRole('row', { name: /Dave Developer/ }).getByRole('img', { name: 'GitLab' }));
    } else {
      assert.equal(await page.getByRole('row', { name: /Dave Developer/ }).getByRole('img', { name: 'GitLab' }).count(), 0);
    }
    await checkPage(page, 'seed-05-manage-staff-connected', browser);
  });

  it('a user connected by an administrator sees who connected them and when', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Sign in' }));
    await signIn(page, server.url, 'carol@acme.example', 'carol-password-1');
    const gitlab = page.getByRole('region', { name: 'GitLab' });
    await expectText(gitlab, /Connected as @carol — connected by Administrator on/);
    await page.getByRole('link', { name: 'User settings' }).click();
    await expectText(page.getByRole('region', { name: 'Applications' }), /GitLab integration\s*Connected as @carol, connected by Administrator on/);
    await checkPage(page, 'seed-06-user-settings-applications', browser);
  });

  // TODO(#6): drop `todo` once GET /api/v1/me/activity-feed is served (it answers 404 today).
  it('a connected user finds their GitLab work in the Activity Feed and logs it', { todo: 'the Activity Feed routes are not served yet' }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Work' }).click();

    // The backfill runs in the background: look at this week and the one before until some
    // of carol's work shows up.
    const feed = page.getByRole('tabpanel', { name: 'Activity Feed' });
    const suggestion = feed.getByRole('article').first();
    const deadline = Date.now() + 60000;
    let found = false;
    while (!found && Date.now() < deadline) {
      for (const week of ['', 'prev']) {
        if (week === 'prev') await page.getByRole('button', { name: 'Previous week' }).click();
        found = await suggestion.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
        if (found) break;
      }
      if (!found) await page.goto(`${server.url}/my-work`);
    }
    assert.ok(found, 'carol has potential worklogs from the demo history');
    await suggestion.getByText(/^Why\?/).click();
    await expectVisible(suggestion.getByRole('listitem').first());
    await checkPage(page, 'seed-07-activity-feed', browser);

    const logButton = suggestion.getByRole('button', { name: /^Log / });
    await logButton.click();
    const issue = suggestion.getByLabel('Issue');
    if (!(await issue.inputValue())) await issue.fill('DEMO-1');
    await suggestion.getByRole('button', { name: 'Log', exact: true }).click();
    await page.getByRole('tab', { name: 'Timesheet' }).click();
    await expectVisible(page.getByRole('tabpanel', { name: 'Timesheet' }).getByRole('button', { name: /^Edit .* worklog/ }));
    await checkPage(page, 'seed-08-timesheet', browser);
  });

  it('disconnecting the organization removes the GitLab icon from Manage Staff', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, server.url, server.admin.email, server.admin.password);
    await page.goto(`${server.url}/apps/gitlab/organization`);
    await page.getByRole('button', { name: 'Disconnect organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect organization?' });
    await dialog.getByRole('button', { name: 'Disconnect organization' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Connect GitLab organization' }), 30000);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Manage Staff' }).click();
    await expectVisible(page.getByRole('cell', { name: 'Carol Developer' }));
    assert.equal(await page.getByRole('img', { name: 'GitLab' }).count(), 0);
    await checkPage(page, 'seed-09-manage-staff-after-disconnect', browser);
    await expectGone(page.getByRole('dialog'));
  });
});
