// Phone screenshots of the main screens for the README. They are always taken (into
// test-results/); with UPDATE_SCREENSHOTS=1 they are also written to docs/screenshots/.
import { test, expect, ready, fillReport, jpegWithGps } from './fixtures.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });
const shot = async (page, testInfo, name) => {
  const path = process.env.UPDATE_SCREENSHOTS ? `docs/screenshots/${name}.png` : testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
};

test('screenshots of the main screens', async ({ page, serve, receiver }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 640 });
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(url);
  await ready(page);
  await shot(page, testInfo, 'zh-campaigns');
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 800, 600) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByLabel('情况描述').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'zh-form');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, testInfo, 'zh-received');
  receiver.setStatus(receiver.reports()[0].ticket, 'resolved', '电动车已移至集中停车点');
  await nav(page, /我的报告/).click();
  await expect(page.getByText('已办结')).toBeVisible();
  await page.getByText('已办结').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'zh-my-reports');
  await nav(page, '安全提示').click();
  await page.getByRole('button', { name: '长辈模式' }).click();
  await shot(page, testInfo, 'zh-large-text');
  await page.getByRole('button', { name: '长辈模式' }).click();
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await expect(page.getByRole('heading', { name: 'What the town asks now' })).toBeVisible();
  await shot(page, testInfo, 'en-campaigns');
});
