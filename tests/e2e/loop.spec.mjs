// The loop back to the resident: the duplicate hint before sending, the
// committee's note, "merged into" and the history in "my reports", and "not satisfied"
// with a comment that reopens the ticket. Release build, phone viewport, zh and en, found
// by role and label; what the server received is asserted on the server's side.
import { randomUUID } from 'node:crypto';
import { test, expect, ready, fillReport, shippedConfig } from './fixtures.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', typeof name === 'object' && !(name instanceof RegExp) ? name : { name });
const similarAsked = (receiver) => receiver.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/similar'));

/** Files a report straight at the receiver, as another resident's phone would. */
async function fileElsewhere(receiver, { building = '2号楼1单元', category = 'ebike_in_stairwell' } = {}) {
  const id = randomUUID();
  const body = {
    schema: 'xinjing.report/1', id, created_at: '2026-11-30T10:00:00+08:00', category,
    location: { community: shippedConfig().communities[0], building, detail: '' }, description: '楼道里停着电动车在充电', photos: [],
    contact: null, consent: { contact: false, notice_version: '1' }, locale: 'zh-CN', client: { version: 'test' },
  };
  const answer = await fetch(receiver.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': id }, body: JSON.stringify(body) });
  expect(answer.status).toBe(201);
  return (await answer.json()).ticket;
}

async function open(page, serve, receiver, lang) {
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(lang ? `${url}?lang=${lang}` : url);
  await ready(page);
  return url;
}

/** Sends a report through the form (zh) and returns its ticket. */
async function sendOne(page, receiver) {
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  return receiver.reports().at(-1).ticket;
}

test('the form says similar reports are being handled, asks once per place and kind, and still sends', async ({ page, serve, receiver }) => {
  const [first, second] = [await fileElsewhere(receiver), await fileElsewhere(receiver)];
  await fileElsewhere(receiver, { building: '9号楼' });
  await open(page, serve, receiver);
  await nav(page, '我要报告').click();
  await page.getByLabel('隐患类型').selectOption({ label: '电动车进楼道、进电梯' });
  await page.getByLabel('居民区', { exact: true }).selectOption({ index: 1 });
  const hint = page.getByRole('status').filter({ hasText: '类似报告' });
  await expect(hint).toHaveCount(0);
  // Typed key by key: the form waits for the resident to stop before asking.
  await page.getByLabel('楼号 / 单元').pressSequentially('2号楼1单元', { delay: 60 });
  await expect(hint).toHaveText(`附近已有 2 条类似报告正在处理：${first}、${second}。您仍可提交本报告。`);
  expect(similarAsked(receiver)).toHaveLength(1);
  expect(new URLSearchParams(similarAsked(receiver)[0].query).get('building')).toBe('2号楼1单元');

  // Another building, then back: the first answer is reused, not asked again.
  await page.getByLabel('楼号 / 单元').fill('9号楼');
  await expect(hint).toContainText('附近已有 1 条类似报告正在处理');
  await page.getByLabel('楼号 / 单元').fill('2号楼1单元');
  await expect(hint).toContainText('附近已有 2 条');
  await page.getByLabel('情况描述').fill('3 楼楼道停着一辆电动车在充电');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()).toHaveLength(4);
  expect(similarAsked(receiver)).toHaveLength(2);
});

test('sending never waits for the question, and a 404 shows no hint (English)', async ({ page, serve, receiver }) => {
  const asked = [];
  let answered404 = false;
  await page.route(/\/similar\?/, async (route) => {
    asked.push(route);
    if (asked.length === 1) return; // the first question hangs
    await route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found","message":"no"}}' });
    answered404 = true;
  });
  await open(page, serve, receiver, 'en');
  const fill = async (building) => {
    await nav(page, { name: 'Report', exact: true }).click();
    await page.getByLabel('Type of hazard').selectOption('ebike_in_stairwell');
    await page.getByLabel('Residential area', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Building / entrance').fill(building);
    await page.getByLabel('What did you see?').fill('An e-bike is charging in the corridor');
  };
  await fill('2号楼1单元');
  await expect.poll(() => asked.length).toBe(1);
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('heading', { name: 'Received' })).toBeVisible();

  await page.getByRole('button', { name: 'Report another' }).click();
  await fill('3号楼');
  await expect.poll(() => answered404).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'similar' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('heading', { name: 'Received' })).toBeVisible();
  expect(receiver.reports()).toHaveLength(2);
  await asked[0].abort();
});

test('the demo mock answers similar from its own reports (English)', async ({ page, serve }) => {
  await page.goto((await serve()) + '?lang=en');
  await ready(page);
  const hint = page.getByRole('status').filter({ hasText: 'similar' });
  const fill = async () => {
    await nav(page, { name: 'Report', exact: true }).click();
    await page.getByLabel('Type of hazard').selectOption('blocked_fire_escape');
    await page.getByLabel('Residential area', { exact: true }).selectOption({ index: 2 });
    await page.getByLabel('Building / entrance').fill('8号楼');
  };
  const send = async () => {
    await page.getByLabel('What did you see?').fill('Boxes block the fire escape');
    await page.getByRole('button', { name: 'Send report' }).click();
    await expect(page.getByRole('heading', { name: 'Received' })).toBeVisible();
    const ticket = (await page.locator('.xj-ticket').textContent()).trim();
    await page.getByRole('button', { name: 'Report another' }).click();
    return ticket;
  };
  await fill();
  const first = await send();
  await fill();
  // The resident reads the hint before sending, so the form has its answer when this
  // report goes; that answer must not outlive the send (the next form asks again).
  await expect(hint).toHaveText(`1 similar report here is being handled: ${first}. You can still send yours.`);
  const second = await send();
  await fill();
  await expect(hint).toContainText('2 similar reports here are being handled');
  await expect(hint).toContainText(first);
  await expect(hint).toContainText(second);
});

test('my reports show the note, merged-into and the history, also when the endpoint cannot be reached (English)', async ({ page, serve, receiver }) => {
  const url = await open(page, serve, receiver);
  const ticket = await sendOne(page, receiver);
  receiver.setStatus(ticket, 'in_progress', '已联系物业，明天上午清理。');
  receiver.setStatus(ticket, 'resolved', '<b>电动车已移走</b>');
  receiver.merge(ticket, 'XJ-20261129-0007');
  await page.goto(url + '?lang=en');
  await ready(page);
  await nav(page, /My reports/).click();
  const card = page.getByRole('article').filter({ hasText: ticket });
  await expect(card.getByText("Committee's note: <b>电动车已移走</b>")).toBeVisible();
  await expect(card.getByText('Merged into XJ-20261129-0007')).toBeVisible();
  await card.getByRole('button', { name: 'History' }).click();
  const steps = card.getByRole('list', { name: 'History' }).getByRole('listitem');
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(0)).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d Received$/);
  await expect(steps.nth(1)).toContainText('Being handled');
  await expect(steps.nth(1)).toContainText('已联系物业，明天上午清理。');
  await expect(steps.nth(2)).toContainText('<b>电动车已移走</b>');
  expect(await page.locator('.xj-app b').count()).toBe(0);

  // Kept on the phone: with the endpoint unreachable, a reload shows the same.
  await page.route(`${receiver.endpoint}/**`, (route) => route.abort());
  await page.reload();
  await ready(page);
  await nav(page, /My reports/).click();
  await expect(card.getByText('Merged into XJ-20261129-0007')).toBeVisible();
  await card.getByRole('button', { name: 'History' }).click();
  await expect(steps).toHaveCount(3);
});

test('not satisfied: the comment is counted and checked, reaches the server, and the ticket shows reopened', async ({ page, serve, receiver }) => {
  const url = await open(page, serve, receiver);
  const ticket = await sendOne(page, receiver);
  receiver.setStatus(ticket, 'resolved', '电动车已移走');
  await page.goto(url);
  await ready(page);
  await nav(page, /我的报告/).click();
  const card = page.getByRole('article').filter({ hasText: ticket });
  await expect(card.getByText('处理说明：电动车已移走')).toBeVisible();
  await card.getByRole('button', { name: '不满意' }).click();
  const comment = card.getByLabel('您的意见（选填）');
  const tooLong = '又'.repeat(501);
  await comment.fill(tooLong);
  await expect(card.getByText('501 / 500 字')).toBeVisible();
  await card.getByRole('button', { name: '提交评价' }).click();
  await expect(card.getByText('内容太长，最多 500 字')).toBeVisible();
  await expect(comment).toHaveAttribute('aria-invalid', 'true');
  await expect(comment).toHaveValue(tooLong);
  expect(receiver.reports()[0].feedbacks).toEqual([]);

  await comment.fill('电动车又推回楼道了');
  await card.getByRole('button', { name: '提交评价' }).click();
  await expect(card.getByText('重办', { exact: true })).toBeVisible();
  expect(receiver.reports()[0].feedbacks).toEqual([{ satisfied: false, comment: '电动车又推回楼道了' }]);
  expect(receiver.reports()[0].status).toBe('received');
  await expect(card.getByText('已受理', { exact: true })).toBeVisible();
  await expect(card.getByRole('group', { name: '您对处理结果满意吗？' })).toHaveCount(0);
  await card.getByRole('button', { name: '处理记录' }).click();
  await expect(card.getByRole('list', { name: '处理记录' }).getByRole('listitem').last()).toContainText('已受理 · 重办');

  // Resolved again: asked again, and satisfied is one tap.
  receiver.setStatus(ticket, 'resolved', '已再次清理');
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await card.getByRole('group', { name: '您对处理结果满意吗？' }).getByRole('button', { name: '满意', exact: true }).click();
  await expect(card.getByText('感谢您的评价：满意')).toBeVisible();
  expect(receiver.reports()[0].feedbacks.at(-1)).toEqual({ satisfied: true });
});

test('not satisfied, and the answer is lost: sent again under its key after a reload, and counted once', async ({ page, serve, receiver }) => {
  const url = await open(page, serve, receiver);
  const ticket = await sendOne(page, receiver);
  receiver.setStatus(ticket, 'resolved', '电动车已移走');
  await page.goto(url);
  await ready(page);
  await nav(page, /我的报告/).click();
  const card = page.getByRole('article').filter({ hasText: ticket });
  // The verdict reaches the server, but its answer never reaches the phone.
  await page.route('**/feedback', async (route) => {
    await route.fetch();
    await route.abort('connectionreset');
  }, { times: 1 });
  await card.getByRole('button', { name: '不满意' }).click();
  await card.getByLabel('您的意见（选填）').fill('电动车又推回楼道了');
  await card.getByRole('button', { name: '提交评价' }).click();
  await expect(card.getByRole('alert')).toHaveText('评价未能发送，请稍后再试。');
  expect(receiver.reports()[0].feedbacks).toHaveLength(1);

  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(card.getByText('重办', { exact: true })).toBeVisible();
  const sent = receiver.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/feedback'));
  expect(sent).toHaveLength(2);
  expect(receiver.reports()[0].feedbacks).toEqual([{ satisfied: false, comment: '电动车又推回楼道了' }]);
});
