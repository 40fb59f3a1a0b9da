// The desk's staff pages in Chromium at 360 px, as a committee clerk works them: log in,
// find the report at the top of the problem list, look at the resident's contact details,
// mark it in progress with a public note (the resident's status then carries it), switch
// to English. axe-core (WCAG 2.2 AA) runs on the login, list and report pages in zh and en,
// and on the admin's overview and audit log.
// The desk: DESK_BIN (default target/server/xinjing-desk) on SQLite, started per test.
import { expect, deskTest, fileReport as file, axe, watchCsp, PASSWORD } from './desk-fixture.mjs';

const COMMUNITY = '示例一村（演示）';
const fileReport = (origin, building) => file(origin, { community: COMMUNITY, building });
const test = deskTest(() => ({
  tag: 'staff',
  users: [{ name: 'li', role: 'staff', communities: [COMMUNITY] }, { name: 'boss', role: 'admin' }],
}));

test('a clerk logs in, works a report from the list, and the resident sees the note', async ({ page, desk }) => {
  const violations = await watchCsp(page);
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
