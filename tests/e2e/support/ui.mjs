// Small assertions and steps shared by the UI tests.
import assert from 'node:assert/strict';
import { screenshot, seriousA11yViolations } from './browser.mjs';

// Waits until `locator`'s text matches `pattern` (or throws with what it saw).
export async function expectText(locator, pattern, ms = 10000) {
  const deadline = Date.now() + ms;
  let seen = '';
  while (Date.now() < deadline) {
    seen = (await locator.first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    if (pattern instanceof RegExp ? pattern.test(seen) : seen.includes(pattern)) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected text ${pattern} but saw: ${JSON.stringify(seen.slice(0, 500))}`);
}

// Waits until `check()` (e.g. on the fake API's state) holds: the pages update the screen
// before their request reaches the server (optimistic switches), so the screen alone does not
// say the request arrived.
export async function expectEventually(check, what, ms = 10000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`expected ${what}`);
}

// Waits until `locator` (a panel) has finished loading: My Work's tab panel is aria-busy from
// the moment its week changes until the new week's data is on screen.
export async function expectSettled(locator, ms = 10000) {
  await locator.first().waitFor({ state: 'visible', timeout: ms });
  const deadline = Date.now() + ms;
  while ((await locator.first().getAttribute('aria-busy')) === 'true') {
    if (Date.now() > deadline) assert.fail(`the panel still loads after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Waits until `locator`'s element has the keyboard focus: a page moves the focus after it
// renders (a menu to its first item, a form to its first field), a moment after it shows.
export async function expectFocused(locator, ms = 10000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const has = await locator.first().evaluate((el) => el === document.activeElement, null, { timeout: 1000 }).catch(() => false);
    if (has) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const focused = await locator.first().page().evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing';
    const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 80);
    return `<${el.tagName.toLowerCase()}${el.getAttribute('role') ? ` role="${el.getAttribute('role')}"` : ''}> "${name}"`;
  });
  assert.fail(`expected the focus on ${locator} but it is on ${focused}`);
}

export async function expectVisible(locator, ms = 10000) {
  await locator.first().waitFor({ state: 'visible', timeout: ms });
}

export async function expectGone(locator, ms = 10000) {
  await locator.first().waitFor({ state: 'detached', timeout: ms }).catch(async () => {
    await locator.first().waitFor({ state: 'hidden', timeout: 1000 });
  });
}

export async function signIn(page, url, email, password) {
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'My Work' }));
}

// Checks the page as it is now with axe-core (no serious or critical violations) and saves
// a screenshot named `name`.
export async function checkPage(page, name, browser) {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 10000 }).catch(() => {});
  const shot = await screenshot(page, name);
  const violations = await seriousA11yViolations(page);
  assert.deepEqual(violations, [], `axe-core on ${name} (screenshot ${shot})`);
  if (browser) assert.deepEqual(browser.problems, [], `browser errors on ${name}`);
}
