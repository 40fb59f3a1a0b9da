// The desk for the Playwright tests: a `desk` fixture (desk-server.mjs starts the real binary
// with a fresh database per test), logging in, filing a report through the API, axe, CSP.
import { test as base, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { startDesk, DESK_BIN, PASSWORD } from './desk-server.mjs';

export { startDesk, DESK_BIN, PASSWORD };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Files a report through the public API, as the widget does; gives its ticket and key. */
export async function fileReport(origin, { community, building, category = 'ebike_in_stairwell' }) {
  const id = randomUUID();
  const report = {
    schema: 'xinjing.report/1', id, created_at: '2026-11-30T09:15:00+08:00', category,
    location: { community, building, detail: '3 楼楼道' },
    description: '楼道里停着电动车在充电', photos: [],
    contact: { name: '王阿姨', phone: '13912345678' },
    consent: { contact: true, notice_version: '2026-11' }, locale: 'zh-CN', client: { version: '0.1.0' },
  };
  const response = await fetch(`${origin}/api/v1/reports`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': id }, body: JSON.stringify(report),
  });
  expect(response.status).toBe(201);
  return { ticket: (await response.json()).ticket, key: id };
}

/** Logs a staff member in through the login form (Chinese labels). */
export async function logIn(page, origin, name) {
  await page.goto(`${origin}/desk/login`);
  await page.getByLabel('账号').fill(name);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '问题清单' })).toBeVisible();
}

// axe from the test, not a <script> tag: the desk's CSP (rightly) allows no script at all.
export async function axe(page, screen) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] }));
  const violations = result.violations.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(violations, screen).toEqual([]);
}

/** Collects CSP violations seen by the page (they must stay empty). */
export async function watchCsp(page) {
  const violations = [];
  await page.exposeFunction('__cspViolation', (v) => violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  return violations;
}

/** A test with a `desk` fixture started by `options()` and stopped after. */
export function deskTest(options = () => ({})) {
  return base.extend({
    desk: async ({}, use) => {
      const desk = await startDesk(options());
      await use(desk);
      await desk.stop();
    },
  });
}

export { expect };
