// The town's view in Chromium: eight reports across two communities and three categories,
// worked by a clerk (both resolution codes, a rejection, a merge) and answered by residents
// (satisfied, not satisfied: reopened); /desk/stats then shows the rates that follow, in
// Chinese and English, at phone and office widths, with nothing for axe to find; the XLSX,
// read back, holds the same figures; the monthly analysis prints on one A4 page; a clerk's
// view holds their community only.
// The desk: DESK_BIN (default target/server/xinjing-desk) on SQLite, started per test.
import JSZip from 'jszip';
import { expect, deskTest, fileReport, axe, watchCsp, logIn } from './desk-fixture.mjs';

const HOME = '示例一村（演示）';
const OTHER = '新泾二村';
// A guard of 2, so that every rate of this small month shows.
const test = deskTest(() => ({
  tag: 'stats',
  env: { DESK_STATS_MIN_COUNT: '2' },
  users: [{ name: 'li', role: 'staff', communities: [HOME] }, { name: 'zhen', role: 'town' }],
}));

const figure = (page, name) => page.locator('li.figure', { has: page.getByText(name, { exact: true }) }).locator('.value');

async function answer(origin, { ticket, key }, satisfied) {
  const response = await fetch(`${origin}/api/v1/reports/${ticket}/feedback`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Report-Key': key },
    body: JSON.stringify({ satisfied }),
  });
  expect(response.status).toBe(200);
}

test('the town reads the figures that follow from a month of work', async ({ page, desk }) => {
  const violations = await watchCsp(page);
  const home = [];
  for (const [building, category] of [['1号楼', 'ebike_in_stairwell'], ['1号楼', 'ebike_in_stairwell'], ['2号楼', 'blocked_fire_escape'],
    ['1号楼', 'ebike_in_stairwell'], ['3号楼', 'flying_line_charging'], ['2号楼', 'blocked_fire_escape']]) {
    home.push(await fileReport(desk.origin, { community: HOME, building, category }));
  }
  for (const building of ['9号楼', '9号楼']) await fileReport(desk.origin, { community: OTHER, building, category: 'flying_line_charging' });

  desk.cli('set-status', home[0].ticket, 'resolved', '电动车已移走', '--resolution', 'solved', '--override', '网格员现场确认');
  desk.cli('set-status', home[2].ticket, 'rejected', '经核实为正规施工');
  desk.cli('set-status', home[4].ticket, 'in_progress', '已派人');
  await answer(desk.origin, home[0], true);

  // The clerk resolves one as explained, and merges one, on the report's page.
  await logIn(page, desk.origin, 'li');
  await page.goto(`${desk.origin}/desk/reports/${home[1].ticket}`);
  await page.getByLabel('新状态').selectOption({ label: '已办结' });
  await page.getByLabel('已解释说明').check();
  await page.getByLabel('公开说明（居民可见）').fill('楼道充电有安全规定，已向您说明');
  await page.getByRole('button', { name: '保存状态' }).click();
  await expect(page.getByText('已办结（已解释说明）', { exact: true })).toBeVisible();
  await page.goto(`${desk.origin}/desk/reports/${home[3].ticket}`);
  await page.getByLabel('重复于工单号').fill(home[4].ticket);
  await page.getByRole('button', { name: '标记为重复' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已标记为重复' })).toBeVisible();
  // Not satisfied with the explanation: reopened, no longer closed.
  await answer(desk.origin, home[1], false);

  // The clerk's own figures: six reports, five answered in time, three closed (solved,
  // rejected, merged), one of them solved; one answer of two satisfied; one reopened of four.
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '统计分析' }).click();
  await expect(page.getByRole('heading', { name: '统计分析' })).toBeVisible();
  await expect(figure(page, '响应率')).toHaveText('100.0%');
  await expect(figure(page, '办结率')).toHaveText('50.0%');
  await expect(figure(page, '解决率')).toHaveText('33.3%');
  await expect(figure(page, '满意率')).toHaveText('50.0%');
  await expect(figure(page, '重办率')).toHaveText('25.0%');
  await expect(page.getByRole('table').filter({ hasText: '合计' })).not.toContainText(OTHER);
  const responded = page.locator('li.figure', { has: page.getByText('响应率', { exact: true }) });
  await responded.getByText('定义', { exact: true }).click();
  await expect(responded.getByText(/^本期收到的报告中，首次处理/)).toBeVisible();
  await axe(page, 'stats, clerk (zh, phone)');

  // The town: both communities, in English too, at an office PC's width.
  await page.getByRole('button', { name: '退出登录' }).click();
  await logIn(page, desk.origin, 'zhen');
  await page.goto(`${desk.origin}/desk/stats`);
  await expect(figure(page, '办结率')).toHaveText('37.5%');
  await expect(figure(page, '响应率')).toHaveText('100.0%');
  const grid = page.getByRole('table').filter({ hasText: '合计' });
  await expect(grid.getByRole('row').filter({ hasText: OTHER })).toContainText('2');
  await grid.getByRole('link', { name: HOME }).click();
  await expect(page.getByRole('heading', { name: `${HOME} · 楼栋` })).toBeVisible();
  await expect(page.getByText('1号楼：3')).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('link', { name: 'English' }).click();
  await expect(figure(page, 'Closed')).toHaveText('37.5%');
  await expect(figure(page, 'Solved')).toHaveText('33.3%');
  await expect(page.getByRole('img', { name: 'The last 12 months: four rates' })).toBeVisible();
  await axe(page, 'stats, town (en, office)');
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/desk-stats.png', fullPage: true });

  // The workbook, read back: the same figures.
  const xlsx = await page.request.get(desk.origin + await page.getByRole('link', { name: 'Download Excel' }).getAttribute('href'));
  expect(xlsx.status()).toBe(200);
  const zip = await JSZip.loadAsync(await xlsx.body());
  const strings = await zip.file('xl/sharedStrings.xml').async('string');
  for (const text of ['37.5%', '100.0%', '33.3%', '3/8', HOME, OTHER]) expect(strings).toContain(text);
  expect(strings).not.toContain('13912345678');

  // The monthly analysis: one A4 page.
  await page.getByRole('link', { name: 'Print the monthly analysis' }).click();
  await expect(page.getByRole('heading', { name: /12345 monthly analysis/ })).toBeVisible();
  await axe(page, 'analysis (en)');
  await page.goto(`${desk.origin}/desk/stats/print?lang=zh`);
  await expect(page.getByRole('heading', { name: '城运中心意见' })).toBeVisible();
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/desk-analysis.png', fullPage: true });
  await page.emulateMedia({ media: 'print' });
  const pdf = (await page.pdf({ format: 'A4', printBackground: true })).toString('latin1');
  expect(pdf.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
  expect(violations).toEqual([]);
});
