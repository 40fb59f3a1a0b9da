// Screenshots of the desk for the README, into docs/screenshots/ (or the folder given): the
// problem list and a report's page as a clerk sees them on the office PC, and a stairwell
// poster. Run after building the widget and the desk (DESK_BIN, default
// target/server/xinjing-desk):
//   node scripts/desk-screenshots.mjs [folder]
// A script, not a test: it asserts nothing, it only waits for each page to show.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../tests/e2e/playwright.config.js';
import { shippedConfig } from '../tests/e2e/fixtures.mjs';
import { startDesk, logIn, fileReport } from '../tests/e2e/desk-fixture.mjs';

const out = process.argv[2] || 'docs/screenshots';
mkdirSync(out, { recursive: true });
const [community, second] = shippedConfig().communities;
const desk = await startDesk({
  widget: true,
  env: { DESK_BUILDINGS: `${community}=1号楼,2号楼,3号楼` },
  users: [{ name: 'wang', role: 'staff', communities: [community, second].filter(Boolean) }],
});
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  // A morning's worth of reports in a few states.
  const filed = [];
  for (const [building, category] of [['1号楼', 'flying_line_charging'], ['2号楼1单元', 'ebike_in_stairwell'], ['3号楼', 'blocked_fire_escape'], ['2号楼2单元', 'private_rewiring'], ['1号楼', 'ebike_in_stairwell']]) {
    filed.push(await fileReport(desk.origin, { community, building, category }));
  }
  desk.cli('set-status', filed[0].ticket, 'resolved', '飞线已拆除，已提醒住户到充电棚充电', '--resolution', 'solved', '--override', '网格员现场确认');
  desk.cli('set-status', filed[2].ticket, 'in_progress', '已通知物业清理消防通道');
  desk.cli('set-status', filed[3].ticket, 'rejected', '经核实为物业正规施工');

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await logIn(page, desk.origin, 'wang');
  await page.screenshot({ path: join(out, 'desk-list.png') });
  await page.getByRole('link', { name: filed[4].ticket }).click();
  await page.getByRole('button', { name: '查看联系方式' }).click();
  await page.getByRole('heading', { name: `工单 ${filed[4].ticket}` }).waitFor();
  await page.screenshot({ path: join(out, 'desk-report.png'), fullPage: true });

  const poster = await browser.newPage({ viewport: { width: 900, height: 1200 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await logIn(poster, desk.origin, 'wang');
  await poster.goto(`${desk.origin}/desk/posters`);
  await poster.getByRole('link', { name: '2号楼', exact: true }).first().click();
  await poster.locator('section.sheet').first().screenshot({ path: join(out, 'desk-poster.png') });
} finally {
  await browser.close();
  await desk.stop();
}
