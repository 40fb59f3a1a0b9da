// The resident's view of a hazard passed to the property company, in Chromium with release
// builds and the desk on SQLite: a resident on a phone files a 飞线充电 report in the widget
// the desk serves; staff (office screen) dispatch it; the unit (phone) answers "done" with a
// photo; staff fail the review, the unit answers again, staff pass it with the after-photo
// made public. The resident's "my reports" shows each public step in the phone's language —
// passed to the property company with its due day, then fixed and checked — and the
// after-photo, never a unit's or a person's name nor the failed review, in zh and in en.
import { test as base, expect, ready, fillReport } from './fixtures.mjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDesk, logIn, watchCsp, PASSWORD } from './desk-fixture.mjs';
import { drawPhoto, withGps } from './shared.mjs';

const COMMUNITY = '示例一村（演示）';
const UNITS = `
[[unit]]
id = "xinkai"
name = "新凯物业"
kind = "property"
communities = ["${COMMUNITY}"]
`;

const test = base.extend({
  desk: async ({}, use) => {
    const config = join(mkdtempSync(join(tmpdir(), 'xinjing-progress-')), 'desk.toml');
    writeFileSync(config, UNITS);
    const desk = await startDesk({
      widget: true,
      tag: 'progress',
      env: { DESK_CONFIG: config },
      users: [
        { name: 'li', role: 'staff', communities: [COMMUNITY] },
        { name: 'wang', role: 'unit', unit: 'xinkai' },
      ],
    });
    await use(desk);
    await desk.stop();
  },
});

/** The Shanghai day of `ms` as the widget words a due day: `12月10日` / `10 Dec`. */
function dueDay(ms) {
  const d = new Date(ms + 8 * 3600_000);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return { zh: `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`, en: `${d.getUTCDate()} ${months[d.getUTCMonth()]}` };
}

test('the resident follows a dispatched hazard to "fixed, checked" with the after-photo', async ({ page, desk, browser }) => {
  const residentCsp = await watchCsp(page);
  await page.goto(desk.origin + '/');
  await ready(page);

  // 1. The resident files a 飞线充电 report.
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page, { category: '飞线充电', description: '5楼窗外拉了一根电线给电动车充电' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const [{ ticket }] = desk.sql('SELECT ticket FROM reports');

  // 2. Staff dispatch it to the property company.
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const staff = await office.newPage();
  await logIn(staff, desk.origin, 'li');
  await staff.getByRole('link', { name: ticket }).click();
  await staff.getByLabel('处置单位').selectOption({ label: '新凯物业（物业公司）' });
  await staff.getByLabel('整改要求').fill('拆除窗外飞线');
  await staff.getByRole('button', { name: '派单', exact: true }).click();
  await expect(staff.getByRole('status').filter({ hasText: '已派单' })).toBeVisible();
  const [{ due_at: due }] = desk.sql('SELECT due_at FROM dispatch_tasks');

  // The resident reads where it went and until when; nobody's name.
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  const card = page.getByRole('article').filter({ hasText: ticket });
  await expect(card.getByText(`已转交物业公司处理，要求 ${dueDay(due).zh}前整改完毕`, { exact: true })).toBeVisible();
  await expect(card.getByText('处理中')).toBeVisible();

  // 3. The unit, on its phone, answers "done" with a photo.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const unit = await phone.newPage();
  await unit.goto(`${desk.origin}/desk/login`);
  await unit.getByLabel('账号').fill('wang');
  await unit.getByLabel('密码').fill(PASSWORD);
  await unit.getByRole('button', { name: '登录' }).click();
  await unit.getByRole('link', { name: new RegExp(ticket) }).click();
  const answer = async (note, seed) => {
    const photo = withGps(Buffer.from(await unit.evaluate(drawPhoto, [640 + seed, 480]), 'base64'));
    await unit.getByLabel('整改后照片').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: photo });
    await unit.getByLabel('整改说明').fill(note);
    await unit.getByRole('button', { name: '提交整改结果' }).click();
    await expect(unit.getByRole('status')).toContainText('已提交整改结果');
  };
  await answer('飞线已拆除', 0);

  // 4. Staff fail the review; the unit answers again; staff pass it, the photo public.
  await staff.reload();
  await staff.getByLabel('不通过，退回单位重新整改').check();
  await staff.getByLabel(/^说明（通过/).fill('插座仍在窗外，请一并拆除');
  await staff.getByRole('button', { name: '保存复查结果' }).click();
  await expect(staff.getByRole('status').filter({ hasText: '复查未通过' })).toBeVisible();
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await expect(card.getByText(`已转交物业公司处理，要求 ${dueDay(due).zh}前整改完毕`, { exact: true })).toBeVisible();
  await unit.reload();
  await answer('插座也已拆除', 16);
  await staff.reload();
  await staff.getByLabel('通过（办结，居民可见说明）').check();
  await staff.getByLabel(/^说明（通过/).fill('飞线和插座已拆除，复查合格');
  await staff.getByLabel('通过时向居民公开整改后照片').check();
  await staff.getByRole('button', { name: '保存复查结果' }).click();
  await expect(staff.getByRole('status').filter({ hasText: '复查通过' })).toBeVisible();

  // 5. The resident: fixed and checked, the committee's note, the after-photo; the steps in
  // the history; no name of a unit or a person, nor the failed review's reason.
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await expect(card.getByText('已整改，社区已复查', { exact: true })).toBeVisible();
  await expect(card.getByText('处理说明：飞线和插座已拆除，复查合格')).toBeVisible();
  const photo = card.getByRole('img', { name: '整改后照片' });
  await expect(photo).toBeVisible();
  expect(await photo.evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(600);
  await card.getByRole('button', { name: '处理记录' }).click();
  const history = card.getByRole('list', { name: '处理记录' });
  await expect(history.getByText(`处理中 · 已转交物业公司处理，要求 ${dueDay(due).zh}前整改完毕`)).toBeVisible();
  await expect(history.getByText('已办结 · 已整改，社区已复查')).toBeVisible();
  for (const hidden of ['新凯', '插座仍在窗外', '拆除窗外飞线', 'wang']) {
    await expect(card).not.toContainText(hidden);
  }

  // The same in English.
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await expect(card.getByText('Fixed, checked by the committee', { exact: true })).toBeVisible();
  await expect(card.getByRole('img', { name: 'Photo after the fix' })).toBeVisible();
  const historyEn = card.getByRole('list', { name: 'History' });
  await expect(historyEn.getByText(`Being handled · Passed to the property company, due ${dueDay(due).en}`)).toBeVisible();

  expect(residentCsp).toEqual([]);
  await office.close();
  await phone.close();
});
