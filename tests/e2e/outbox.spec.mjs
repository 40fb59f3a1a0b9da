import { test, expect, ready, fillReport } from './fixtures.mjs';

async function open(page, serve, receiver, config = {}) {
  const url = await serve({ config: { endpoint: receiver.endpoint, ...config } });
  await page.goto(url);
  await ready(page);
  return url;
}

async function submit(page, description) {
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page, description ? { description } : undefined);
  await page.getByRole('button', { name: '提交报告' }).click();
}

const copiesOf = (receiver) => receiver.reports().length;

test('offline: saved on the phone, still waiting after a reload, sent exactly once when back online', async ({ page, context, serve, receiver }) => {
  await open(page, serve, receiver);
  // Let the service worker take control so the page can be reloaded without a network.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await ready(page);
  await context.setOffline(true);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect(page.getByRole('navigation').getByRole('button', { name: /我的报告/ })).toContainText('1');

  await page.reload();
  await ready(page);
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toBeVisible();
  await expect(page.getByText('3 楼楼道停着一辆电动车在充电')).toBeVisible();
  expect(copiesOf(receiver)).toBe(0);

  await context.setOffline(false);
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible();
  expect(copiesOf(receiver)).toBe(1);
  const keys = receiver.state.attempts.map((a) => a.key);
  expect(new Set(keys).size).toBe(1);
});

test('503 twice, then 201: one copy, every attempt under the same key', async ({ page, serve, receiver }) => {
  receiver.fail(503, 2);
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible({ timeout: 30_000 });
  expect(copiesOf(receiver)).toBe(1);
  const attempts = receiver.state.attempts;
  expect(attempts).toHaveLength(3);
  expect(new Set(attempts.map((a) => a.key)).size).toBe(1);
  expect(new Set(attempts.map((a) => a.bodyHash)).size).toBe(1);
  expect(attempts[0].key).toBe(receiver.reports()[0].body.id);
});

test('a request that never answers times out and is retried', async ({ page, serve, receiver }) => {
  receiver.hang(1);
  await open(page, serve, receiver, { timeout_ms: 2000 });
  await submit(page);
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible({ timeout: 30_000 });
  expect(receiver.state.attempts.length).toBe(2);
  expect(copiesOf(receiver)).toBe(1);
});

test('a 422 on a retry: the message is shown, the report is kept, edited and resent', async ({ page, serve, receiver }) => {
  receiver.fail(503, 1);
  receiver.fail(422, 1, { message: '请补充具体楼层后再提交' });
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  // "Send now" right away: the refusal then lands while the form would still be waiting for
  // its first answer, and must stay in the outbox rather than vanish back into the form.
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  await page.getByRole('button', { name: '立即发送' }).click();
  await expect(page.getByText('未被受理：请补充具体楼层后再提交')).toBeVisible();
  expect(receiver.state.attempts).toHaveLength(2);
  await page.reload();
  await ready(page);
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  await expect(page.getByText('未被受理：请补充具体楼层后再提交')).toBeVisible();
  await page.getByRole('button', { name: '修改后重新发送' }).click();
  await expect(page.getByLabel('情况描述')).toHaveValue('3 楼楼道停着一辆电动车在充电');
  await page.getByLabel('楼层或具体位置').fill('6楼东侧');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()).toHaveLength(1);
  expect(receiver.reports()[0].body.location.detail).toBe('6楼东侧');
});

test('status from the receiver shows in "my reports"; feedback reaches it (English)', async ({ page, serve, receiver }) => {
  const url = await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const { ticket } = receiver.reports()[0];
  receiver.setStatus(ticket, 'in_progress');
  await page.goto(url + '?lang=en');
  await ready(page);
  await page.getByRole('navigation').getByRole('button', { name: /My reports/ }).click();
  await expect(page.getByText('Being handled')).toBeVisible();
  receiver.setStatus(ticket, 'resolved', '电动车已移走');
  await page.getByRole('button', { name: 'Refresh status' }).click();
  await expect(page.getByText('Resolved')).toBeVisible();
  await expect(page.getByText('电动车已移走')).toBeVisible();
  await page.getByRole('group', { name: 'Were you satisfied with how it was handled?' }).getByRole('button', { name: 'Satisfied', exact: true }).click();
  await expect(page.getByText('Thank you for your feedback: Satisfied')).toBeVisible();
  expect(receiver.reports()[0].feedback).toEqual({ satisfied: true, comment: undefined });
});
