// Screenshots of a dispatched hazard for the README, into docs/screenshots/ (or the folder
// given): the unit's task page on a phone, and the rectification notice as printed. Run
// after building the desk (DESK_BIN, default target/server/xinjing-desk); no widget needed:
//   node scripts/desk-dispatch-screenshots.mjs [folder]
// A script, not a test: it asserts nothing, it only waits for each page to show.
import { chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../tests/e2e/playwright.config.js';
import { startDesk, logIn, fileReport, PASSWORD } from '../tests/e2e/desk-fixture.mjs';

const out = process.argv[2] || 'docs/screenshots';
mkdirSync(out, { recursive: true });
const community = '示例一村（演示）';
const config = join(mkdtempSync(join(tmpdir(), 'xinjing-shots-')), 'desk.toml');
writeFileSync(config, `[[unit]]\nid = "xinkai"\nname = "新凯物业"\nkind = "property"\ncommunities = ["${community}"]\n`);
const desk = await startDesk({
  env: { DESK_CONFIG: config },
  users: [{ name: 'li', role: 'staff', communities: [community] }, { name: 'wang', role: 'unit', unit: 'xinkai' }],
});
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const look = { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
try {
  const { ticket } = await fileReport(desk.origin, { community, building: '5号楼', category: 'flying_line_charging' });
  const staff = await browser.newPage({ viewport: { width: 900, height: 1200 }, ...look });
  await logIn(staff, desk.origin, 'li');
  await staff.getByRole('link', { name: ticket }).click();
  await staff.getByLabel('整改要求').fill('拆除 5 号楼南侧窗外飞线及插座，告知住户到充电棚充电');
  await staff.getByRole('button', { name: '派单', exact: true }).click();
  await staff.getByRole('link', { name: '打印整改通知书' }).click();
  await staff.locator('section.sheet').screenshot({ path: join(out, 'desk-notice.png') });

  const unit = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, ...look });
  await unit.goto(`${desk.origin}/desk/login`);
  await unit.getByLabel('账号').fill('wang');
  await unit.getByLabel('密码').fill(PASSWORD);
  await unit.getByRole('button', { name: '登录' }).click();
  await unit.getByRole('link', { name: new RegExp(ticket) }).click();
  await unit.getByRole('heading', { name: '整改完成' }).waitFor();
  await unit.screenshot({ path: join(out, 'desk-unit-task.png'), fullPage: true });
} finally {
  await browser.close();
  await desk.stop();
}
