// One way to start the desk for the browser tests: `xinjing-desk serve` on 127.0.0.1:0 with a
// fresh SQLite database and photo folder per test, optional staff accounts (made with the
// real `user add`, password on stdin) and extra environment (robots, the widget's dist/).
// The binary: DESK_BIN, else target/server/xinjing-desk (scripts/test.sh builds it).
import { test as base, expect } from '@playwright/test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';

export const DESK_BIN = resolve(process.env.DESK_BIN || 'target/server/xinjing-desk');
export const PASSWORD = 'correct horse battery';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Starts the desk. `users`: [{ name, role, communities, unit }]; `env`: more variables;
 * `widget`: serve the widget's release build (DIST or dist/) at `/`.
 */
export async function startDesk({ users = [], env: extra = {}, widget = false, tag = 'e2e' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `xinjing-desk-${tag}-`));
  const env = {
    PATH: process.env.PATH,
    DESK_LISTEN: '127.0.0.1:0',
    DATABASE_URL: `sqlite://${join(dir, 'desk.db')}`,
    DESK_PHOTOS: join(dir, 'photos'),
    DESK_LOG_FORMAT: 'json',
    ...(widget ? { DESK_DIST: resolve(process.env.DIST || 'dist') } : {}),
    ...extra,
  };
  const cli = (args, input = '') => execFileSync(DESK_BIN, args, { env, input, encoding: 'utf8' });
  for (const { name, role, communities = [], unit } of users) {
    const scope = [...communities.flatMap((c) => ['--community', c]), ...(unit ? ['--unit', unit] : [])];
    cli(['user', 'add', name, '--role', role, ...scope], `${PASSWORD}\n`);
  }
  const child = spawn(DESK_BIN, ['serve', '--dev'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const origin = await new Promise((done, fail) => {
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      log.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.fields?.message === 'desk listening') done(`http://${entry.fields.addr}`);
      } catch { /* not JSON */ }
    });
    child.on('exit', (code) => fail(new Error(`the desk exited (${code}):\n${log.join('\n')}`)));
    setTimeout(() => fail(new Error('the desk did not start in 30 s')), 30_000);
  });
  const sql = (query) => JSON.parse(execFileSync('sqlite3', ['-json', join(dir, 'desk.db'), query], { encoding: 'utf8' }) || '[]');
  return {
    origin, dir, env, log, sql,
    cli: (...args) => cli(args),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
