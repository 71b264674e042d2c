// Debian's Chromium driven by playwright-core: never a downloaded browser, a fresh profile
// per run, and helpers every UI test uses (axe-core checks, screenshots, CSP watch).
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.WORKLOG_E2E_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = process.env.WORKLOG_E2E_SCREENSHOTS || new URL('../screenshots/', import.meta.url).pathname;

export async function openBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'worklog-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const problems = [];
  const watch = (page) => {
    page.on('console', (msg) => {
      const text = msg.text();
      // A CSP violation means the built UI does not run under worklog's policy.
      if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
      else if (msg.type() === 'error' && !/Failed to load resource/.test(text)) problems.push(`console error: ${text}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.on('page', watch);
  context.setDefaultTimeout(10000);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  return {
    context,
    page,
    // Errors the browser reported so far (CSP violations, uncaught exceptions).
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Runs axe-core (WCAG 2.x A and AA rules) on the page as it is and returns the serious and
// critical violations as readable lines. Injected through the DevTools protocol, so the
// page's own CSP stays on.
export async function seriousA11yViolations(page) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
