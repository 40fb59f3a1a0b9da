// A screenshot of a stairwell poster (the desk's /desk/posters) for the README, into
// docs/screenshots/desk-poster.png (or the folder given). Run after building the widget and
// the desk (DESK_BIN, default target/server/xinjing-desk):
//   node scripts/poster-screenshot.mjs [folder]
// A script, not a test: it asserts nothing, it only waits for the poster to show.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../tests/e2e/playwright.config.js';
import { shippedConfig } from '../tests/e2e/fixtures.mjs';
import { startDesk, logIn } from '../tests/e2e/desk-fixture.mjs';

const out = process.argv[2] || 'docs/screenshots';
mkdirSync(out, { recursive: true });
const community = shippedConfig().communities[0];
const desk = await startDesk({
  widget: true,
  env: { DESK_BUILDINGS: `${community}=1号楼,2号楼,3号楼` },
  users: [{ name: 'wang', role: 'staff', communities: [community] }],
});
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await logIn(page, desk.origin, 'wang');
  await page.goto(`${desk.origin}/desk/posters`);
  await page.getByRole('link', { name: '2号楼', exact: true }).click();
  await page.locator('section.sheet').first().screenshot({ path: join(out, 'desk-poster.png') });
} finally {
  await browser.close();
  await desk.stop();
}
