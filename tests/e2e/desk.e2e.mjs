// The widget's release build served BY THE DESK (one origin, SQLite): a resident files a
// report with a photo carrying EXIF/GPS; the report is in the desk's database and its photo
// on disk without EXIF; the status the desk gives is what "my reports" shows; the verdict
// reaches the desk.
import { test as base, expect, ready, fillReport, jpegWithGps, jpegSegments, shippedConfig } from './fixtures.mjs';
import { startDesk, watchCsp } from './desk-fixture.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const test = base.extend({
  desk: async ({}, use) => {
    const desk = await startDesk({ widget: true });
    await use(desk);
    await desk.stop();
  },
});

test('a report filed in the widget served by the desk is kept, stripped of EXIF, and followed up', async ({ page, desk }) => {
  const violations = await watchCsp(page);
  const response = await page.goto(desk.origin + '/');
  expect(response.headers()['content-security-policy']).toContain("connect-src 'self'");
  await ready(page);

  const photo = await jpegWithGps(page, 2400, 1800);
  expect(jpegSegments(photo)).toContain(0xe1);
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page);
  await page.getByLabel('楼层或具体位置').fill('3楼楼道');
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'gps.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByRole('checkbox', { name: /我同意把称呼和手机号提供给/ }).check();
  await page.getByLabel('称呼（选填）').fill('王阿姨');
  await page.getByLabel('手机号', { exact: true }).fill('+86 139 1234 5678');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();

  // In the desk's database, as the resident sent it.
  const [report] = desk.sql('SELECT id, ticket, category, community, building, detail, description, contact_name, contact_phone, status FROM reports');
  const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10).replaceAll('-', '');
  expect(report).toMatchObject({
    ticket: `XJ-${day}-0001`,
    category: 'ebike_in_stairwell',
    community: shippedConfig().communities[0],
    building: '2号楼1单元',
    detail: '3楼楼道',
    description: '3 楼楼道停着一辆电动车在充电',
    contact_name: '王阿姨',
    contact_phone: '13912345678',
    status: 'received',
  });
  await expect(page.getByText(report.ticket, { exact: true })).toBeVisible();
  // Its photo, on disk, without EXIF or GPS.
  const [stored] = desk.sql(`SELECT object_key, width, height, bytes FROM report_photos WHERE report_id = '${report.id}'`);
  expect(stored).toMatchObject({ width: 1600, height: 1200 });
  const jpeg = readFileSync(join(desk.dir, 'photos', stored.object_key));
  expect(jpeg.length).toBe(stored.bytes);
  expect(jpegSegments(jpeg)).not.toContain(0xe1);
  expect(jpeg.includes(Buffer.from('Exif'))).toBe(false);
  // Nothing personal in the desk's log.
  const log = desk.log.join('\n');
  expect(log).toContain(report.ticket);
  expect(log).not.toContain('13912345678');
  expect(log).not.toContain('王阿姨');

  // "My reports" reads the status from the desk.
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  await expect(page.getByText('已受理').first()).toBeVisible();
  desk.cli('set-status', report.ticket, 'resolved', '电动车已移至集中停车点', '--resolution', 'solved', '--override', '网格员现场确认');
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await expect(page.getByText('已办结')).toBeVisible();
  await expect(page.getByText('电动车已移至集中停车点')).toBeVisible();
  await page.getByRole('group', { name: '您对处理结果满意吗？' }).getByRole('button', { name: '满意', exact: true }).click();
  await expect(page.getByText('感谢您的评价：满意')).toBeVisible();
  await expect.poll(() => desk.sql("SELECT satisfied FROM report_events WHERE kind = 'feedback'")).toEqual([{ satisfied: 1 }]);
  expect(violations).toEqual([]);
});
