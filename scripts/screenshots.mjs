// Phone screenshots of the main screens for the README, into docs/screenshots/ (or the
// folder given as the first argument). Run after scripts/build.sh:
//   node scripts/screenshots.mjs [folder]
// A script, not a test: it asserts nothing, it only waits for each screen to show.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, WECHAT_UA } from '../tests/e2e/playwright.config.js';
import { fillReport, jpegWithGps, shippedConfig } from '../tests/e2e/fixtures.mjs';
import { startReceiver } from '../tests/e2e/receiver.mjs';
import { startStatic } from './serve.mjs';

const out = process.argv[2] || 'docs/screenshots';
mkdirSync(out, { recursive: true });
const receiver = await startReceiver();
const server = await startStatic({ dir: process.env.DIST || 'dist', routes: { '/config.json': { ...shippedConfig(), endpoint: receiver.endpoint } } });
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, userAgent: WECHAT_UA, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const shot = (name) => page.screenshot({ path: join(out, `${name}.png`) });
  const nav = (name) => page.getByRole('navigation').getByRole('button', { name });
  await page.goto(server.url);
  await page.locator('.xj-app nav').waitFor();
  await shot('zh-campaigns');
  await nav('我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 800, 600) });
  await page.getByRole('img', { name: '照片 1' }).waitFor();
  await page.getByLabel('情况描述').scrollIntoViewIfNeeded();
  await shot('zh-form');
  await page.getByRole('button', { name: '提交报告' }).click();
  await page.getByRole('heading', { name: '已受理' }).waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('zh-received');
  receiver.setStatus(receiver.reports()[0].ticket, 'resolved', '电动车已移至集中停车点');
  await nav(/我的报告/).click();
  await page.getByText('已办结').waitFor();
  await page.getByText('已办结').scrollIntoViewIfNeeded();
  await shot('zh-my-reports');
  await nav('安全提示').click();
  await page.getByRole('button', { name: '长辈模式' }).click();
  await shot('zh-large-text');
  await page.getByRole('button', { name: '长辈模式' }).click();
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { name: 'What the town asks now' }).waitFor();
  await shot('en-campaigns');
  console.log(`screenshots written to ${out}/`);
} finally {
  await browser.close();
  await server.close();
  await receiver.close();
}
