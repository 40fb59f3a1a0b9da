// A hazard passed to the property company, in Chromium: staff on an office screen dispatch a
// 飞线充电 report to the unit, whose robot hears of it once (and once more of the failed
// review); the unit, on a phone, answers
// "done" with an after-photo; staff fail the review with a reason, the unit answers again,
// staff pass it, and the resident's status reads "resolved" with the review's note. axe
// (WCAG 2.2 AA) on the unit's pages and the report's dispatch and review forms; no CSP
// violation anywhere. The desk: DESK_BIN (default target/server/xinjing-desk) on SQLite.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDesk, fileReport, axe, watchCsp, logIn, PASSWORD } from './desk-fixture.mjs';
import { startRobots } from './robots.mjs';
import { drawPhoto, withGps, jpegSegments } from './shared.mjs';

const COMMUNITY = '示例一村（演示）';
const UNITS = `
[[unit]]
id = "xinkai"
name = "新凯物业"
kind = "property"
communities = ["${COMMUNITY}"]
robot = { kind = "wecom" }
`;

test('a hazard goes to the property company, is fixed, failed once, and passed', async ({ browser }) => {
  const robots = await startRobots();
  const config = join(mkdtempSync(join(tmpdir(), 'xinjing-dispatch-')), 'desk.toml');
  writeFileSync(config, UNITS);
  const desk = await startDesk({
    tag: 'dispatch',
    env: {
      DESK_CONFIG: config,
      // The committee hears of new reports (DingTalk); the unit has its own robot (WeCom).
      DESK_NOTIFY_DINGTALK_URL: robots.env.DESK_NOTIFY_DINGTALK_URL,
      DESK_NOTIFY_DINGTALK_SECRET: robots.env.DESK_NOTIFY_DINGTALK_SECRET,
      DESK_NOTIFY_UNIT_XINKAI_URL: robots.wecom.url,
      DESK_NOTIFY_POLL_MS: '200',
    },
    users: [
      { name: 'li', role: 'staff', communities: [COMMUNITY] },
      { name: 'wang', role: 'unit', unit: 'xinkai' },
    ],
  });
  try {
    const { ticket, key } = await fileReport(desk.origin, { community: COMMUNITY, building: '5号楼', category: 'flying_line_charging' });
    await robots.dingtalk.waitFor(1);

    // Staff, at the office.
    const office = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const staff = await office.newPage();
    const staffCsp = await watchCsp(staff);
    await logIn(staff, desk.origin, 'li');
    await staff.getByRole('link', { name: ticket }).click();
    await staff.getByLabel('处置单位').selectOption({ label: '新凯物业（物业公司）' });
    await staff.getByLabel('整改要求').fill('拆除窗外飞线，清理充电插座');
    await axe(staff, 'report with the dispatch form');
    await staff.getByRole('button', { name: '派单', exact: true }).click();
    await expect(staff.getByRole('status').filter({ hasText: '已派单' })).toBeVisible();
    await expect(staff.getByRole('link', { name: '打印整改通知书' })).toBeVisible();
    const [message] = await robots.wecom.waitFor(1);
    expect(JSON.stringify(message)).toContain(ticket);

    // The unit, on its phone in the stairwell.
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const unit = await phone.newPage();
    const unitCsp = await watchCsp(unit);
    await unit.goto(`${desk.origin}/desk/login`);
    await unit.getByLabel('账号').fill('wang');
    await unit.getByLabel('密码').fill(PASSWORD);
    await unit.getByRole('button', { name: '登录' }).click();
    await expect(unit.getByRole('heading', { name: '我的任务' })).toBeVisible();
    await axe(unit, 'unit: task list');
    await unit.getByRole('link', { name: new RegExp(ticket) }).click();
    await expect(unit.getByText('拆除窗外飞线，清理充电插座')).toBeVisible();
    await expect(unit.getByText('13912345678')).toHaveCount(0);
    await axe(unit, 'unit: task');
    const answer = async (note, seed) => {
      const photo = withGps(Buffer.from(await unit.evaluate(drawPhoto, [640 + seed, 480]), 'base64'));
      await unit.getByLabel('整改后照片').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: photo });
      await unit.getByLabel('整改说明').fill(note);
      await unit.getByRole('button', { name: '提交整改结果' }).click();
      await expect(unit.getByRole('status')).toContainText('已提交整改结果');
    };
    await answer('飞线已拆除', 0);
    // Kept without its EXIF and GPS position.
    const [{ photo_key: stored }] = desk.sql("SELECT photo_key FROM dispatch_tasks");
    expect(jpegSegments(readFileSync(join(desk.dir, 'photos', stored)))).not.toContain(0xe1);

    // Review: fail, with the reason.
    await staff.reload();
    await expect(staff.getByRole('img', { name: '整改后照片' })).toBeVisible();
    await axe(staff, 'report with the review form');
    await staff.getByLabel('不通过，退回单位重新整改').check();
    await staff.getByLabel(/^说明（通过/).fill('插座仍在窗外，请一并拆除');
    await staff.getByRole('button', { name: '保存复查结果' }).click();
    await expect(staff.getByRole('status').filter({ hasText: '复查未通过' })).toBeVisible();
    // The unit's robot hears why, and by when.
    const [, failed] = await robots.wecom.waitFor(2);
    expect(JSON.stringify(failed)).toContain('复查未通过');
    expect(JSON.stringify(failed)).toContain('插座仍在窗外，请一并拆除');

    // The unit sees why, and answers again; staff pass it.
    await unit.reload();
    await expect(unit.getByText('插座仍在窗外，请一并拆除')).toBeVisible();
    await answer('插座也已拆除', 16);
    await staff.reload();
    await staff.getByLabel('通过（办结，居民可见说明）').check();
    await staff.getByLabel(/^说明（通过/).fill('飞线和插座已拆除，复查合格');
    await staff.getByRole('button', { name: '保存复查结果' }).click();
    await expect(staff.getByRole('status').filter({ hasText: '复查通过' })).toBeVisible();

    const status = await (await fetch(`${desk.origin}/api/v1/reports/${ticket}`, { headers: { 'X-Report-Key': key } })).json();
    expect(status.status).toBe('resolved');
    expect(status.note).toBe('飞线和插座已拆除，复查合格');
    expect(status.history.map((s) => s.status)).toEqual(['received', 'in_progress', 'resolved']);
    expect(JSON.stringify(status)).not.toContain('新凯');
    // Two messages to the unit in all: the dispatch and the failed review.
    expect(robots.wecom.messages.length).toBe(2);
    expect([...staffCsp, ...unitCsp]).toEqual([]);
    await office.close();
    await phone.close();
  } finally {
    await desk.stop();
    await robots.stop();
  }
});
