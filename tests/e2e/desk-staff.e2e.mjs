// The desk's staff pages in Chromium at 360 px, as a committee clerk works them: log in,
// find the report at the top of the problem list, look at the resident's contact details,
// mark it in progress with a public note (the resident's status then carries it), switch
// to English. axe-core (WCAG 2.2 AA) runs on the login, list and report pages in zh and en,
// and on the admin's overview and audit log.
// The desk: DESK_BIN (default target/server/xinjing-desk) on SQLite, started per test.
import { test as base, expect } from '@playwright/test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';

const DESK_BIN = resolve(process.env.DESK_BIN || 'target/server/xinjing-desk');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery';
const COMMUNITY = '示例一村（演示）';

async function startDesk() {
  const dir = mkdtempSync(join(tmpdir(), 'xinjing-desk-staff-'));
  const env = {
    PATH: process.env.PATH,
    DESK_LISTEN: '127.0.0.1:0',
    DATABASE_URL: `sqlite://${join(dir, 'desk.db')}`,
    DESK_PHOTOS: join(dir, 'photos'),
    DESK_LOG_FORMAT: 'json',
  };
  const cli = (args, input = '') => execFileSync(DESK_BIN, args, { env, input, encoding: 'utf8' });
  cli(['user', 'add', 'li', '--role', 'staff', '--community', COMMUNITY], `${PASSWORD}\n`);
  cli(['user', 'add', 'boss', '--role', 'admin'], `${PASSWORD}\n`);
  const child = spawn(DESK_BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
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
  return {
    origin,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Files a report through the public API, as the widget does; gives its ticket and key. */
async function fileReport(origin, building) {
  const id = randomUUID();
  const report = {
    schema: 'xinjing.report/1', id, created_at: '2026-11-30T09:15:00+08:00', category: 'ebike_in_stairwell',
    location: { community: COMMUNITY, building, detail: '3 楼楼道' },
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

// axe from the test, not a <script> tag: the desk's CSP (rightly) allows no script at all.
async function axe(page, screen) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] }));
  const violations = result.violations.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(violations, screen).toEqual([]);
}

const test = base.extend({
  desk: async ({}, use) => {
    const desk = await startDesk();
    await use(desk);
    await desk.stop();
  },
});

test('a clerk logs in, works a report from the list, and the resident sees the note', async ({ page, desk }) => {
  const violations = [];
  await page.exposeFunction('__cspViolation', (v) => violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  const older = await fileReport(desk.origin, '1号楼');
  const { ticket, key } = await fileReport(desk.origin, '2号楼1单元');

  await page.goto(`${desk.origin}/desk/`);
  await expect(page.getByRole('heading', { name: '工作台登录' })).toBeVisible();
  await axe(page, 'login (zh)');
  await page.getByLabel('账号').fill('li');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();

  await expect(page.getByRole('heading', { name: '问题清单' })).toBeVisible();
  const rows = page.getByRole('table', { name: '问题列表' }).getByRole('row');
  await expect(rows.nth(1)).toContainText(ticket);
  await expect(rows.nth(2)).toContainText(older.ticket);
  await axe(page, 'list (zh)');
  // Filters by label, the no-JS way: choose, then press the button.
  await page.getByLabel('状态', { exact: true }).selectOption({ label: '已受理' });
  await page.getByLabel('楼栋', { exact: true }).fill('2号楼1单元');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page.getByRole('link', { name: ticket })).toBeVisible();
  await expect(page.getByRole('link', { name: older.ticket })).toHaveCount(0);

  await page.getByRole('link', { name: ticket }).click();
  await expect(page.getByRole('heading', { name: `工单 ${ticket}` })).toBeVisible();
  await axe(page, 'report (zh)');
  await expect(page.getByText('13912345678')).toHaveCount(0);
  await page.getByRole('button', { name: '查看联系方式' }).click();
  await expect(page.getByRole('link', { name: '13912345678' })).toBeVisible();

  await page.getByLabel('新状态').selectOption({ label: '处理中' });
  await page.getByLabel('公开说明（居民可见）').fill('已派网格员上门查看');
  await page.getByLabel('内部备注（仅工作人员可见）').fill('联系物业王师傅');
  await page.getByRole('button', { name: '保存状态' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已保存状态' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '处理记录' })).toBeVisible();
  await expect(page.getByText('公开说明：已派网格员上门查看')).toBeVisible();

  const status = await (await fetch(`${desk.origin}/api/v1/reports/${ticket}`, { headers: { 'X-Report-Key': key } })).json();
  expect(status.status).toBe('in_progress');
  expect(status.note).toBe('已派网格员上门查看');
  expect(JSON.stringify(status)).not.toContain('王师傅');

  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: `Ticket ${ticket}` })).toBeVisible();
  await expect(page.getByLabel('New state')).toBeVisible();
  await axe(page, 'report (en)');
  await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Problem list' }).click();
  await expect(page.getByRole('heading', { name: 'Problem list' })).toBeVisible();
  await axe(page, 'list (en)');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Desk login' })).toBeVisible();
  expect(violations).toEqual([]);
});

test('an admin sees the overview and, in the audit log, who looked at contact details', async ({ page, desk }) => {
  const { ticket } = await fileReport(desk.origin, '3号楼');
  await page.goto(`${desk.origin}/desk/login`);
  await page.getByLabel('账号').fill('boss');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('link', { name: ticket }).click();
  await page.getByRole('button', { name: '查看联系方式' }).click();
  await expect(page.getByRole('link', { name: '13912345678' })).toBeVisible();

  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '总览' }).click();
  await expect(page.getByRole('heading', { name: '总览' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '各小区满意率' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: COMMUNITY })).toBeVisible();
  await axe(page, 'overview (zh)');
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '审计日志' }).click();
  await expect(page.getByRole('heading', { name: '审计日志' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: '查看联系方式' });
  await expect(row).toContainText('boss');
  await expect(row).toContainText(ticket);
  await axe(page, 'audit log (zh)');

  // The office PC: the same pages, wider.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '问题清单' }).click();
  await expect(page.getByRole('columnheader', { name: '收到时间' })).toBeVisible();
  await axe(page, 'list (zh, 1280 px)');
  await page.getByRole('link', { name: ticket }).click();
  await axe(page, 'report (zh, 1280 px)');
});
