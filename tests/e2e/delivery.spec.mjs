// Never lose a report: each test reproduces one defect of the delivery path, named in its
// title, against the real receiver in real Chromium. Each failed before its fix.
import { test, expect, ready, fillReport, jpegWithGps, shippedConfig } from './fixtures.mjs';
import { startReceiver } from './receiver.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

async function open(page, serve, receiver, config = {}) {
  const url = await serve({ config: { endpoint: receiver.endpoint, ...config } });
  await page.goto(url);
  await ready(page);
  return url;
}

async function submit(page, description) {
  await nav(page, '我要报告').click();
  await fillReport(page, description ? { description } : undefined);
  await page.getByRole('button', { name: '提交报告' }).click();
}

async function withContact(page, phone = '13912345678', remember = true) {
  await page.getByRole('checkbox', { name: /我同意把称呼和手机号提供给/ }).check();
  await page.getByLabel('手机号', { exact: true }).fill(phone);
  if (remember) await page.getByRole('checkbox', { name: '在这部手机上记住我的联系方式' }).check();
}

// Showing that something does NOT happen takes waiting: this is longer than the app needs
// to act (a storage write takes milliseconds, a send at start-up well under a second).
const settle = (page, ms = 1500) => page.waitForTimeout(ms);

/** Every record in one IndexedDB store of the widget, as [key, value] pairs. */
function idbDump(page, store) {
  return page.evaluate((name) => new Promise((resolve, reject) => {
    const request = indexedDB.open('xinjing-safety');
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(name)) { db.close(); resolve([]); return; }
      const out = [];
      const cursor = db.transaction(name).objectStore(name).openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (c) { out.push([String(c.key), String(c.value)]); c.continue(); } else { db.close(); resolve(out); }
      };
      cursor.onerror = () => reject(cursor.error);
    };
    request.onerror = () => reject(request.error);
  }), store);
}

test('defect 1: a report deleted while its attempt hangs is neither sent nor brought back', async ({ page, serve, receiver }) => {
  receiver.hang(1);
  // Long enough to reach "my reports" and delete before the attempt gives up.
  await open(page, serve, receiver, { timeout_ms: 8000 });
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await nav(page, /我的报告/).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '删除' }).click();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
  expect(receiver.state.aborted).toBe(0); // deleted while the request was still on the wire
  await expect.poll(() => receiver.state.aborted, { timeout: 15_000 }).toBe(1);
  await settle(page);
  for (const store of ['reports', 'bodies']) expect(await idbDump(page, store), store).toEqual([]);
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await settle(page);
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
  expect(receiver.reports()).toHaveLength(0);
  expect(receiver.state.attempts).toHaveLength(1);
});

test('defect 1: "clear my data" during an attempt wins: the late 201 writes no ticket, nothing personal comes back', async ({ page, serve, receiver }) => {
  receiver.hold(1);
  await open(page, serve, receiver, { timeout_ms: 30000 });
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '清除时正在发送的报告' });
  await withContact(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await nav(page, /我的报告/).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '清除本机数据' }).click();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
  await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
  // The request was already on the wire: the server takes it and answers 201 now.
  expect(receiver.release()).toBe(1);
  await expect.poll(() => receiver.reports().length).toBe(1);
  const { ticket } = receiver.reports()[0];
  await settle(page);
  await expect(page.getByText(ticket)).toHaveCount(0);
  await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
  for (const store of ['reports', 'bodies', 'outbox', 'aside', 'kv']) expect(await idbDump(page, store), store).toEqual([]);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => ['xj.mine', 'xj.contact', 'xj.draft'].includes(k)))).toEqual([]);
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
  await expect(page.getByText(ticket)).toHaveCount(0);
  await nav(page, '我要报告').click();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveCount(0);
});

test('defect 2: a 409 (key still being processed) is retried under the same key, not refused', async ({ page, serve, receiver }) => {
  receiver.fail(409, 1, { code: 'in_progress', message: 'A request with this Idempotency-Key is being processed' });
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(/未被受理/)).toHaveCount(0);
  expect(receiver.reports()).toHaveLength(1);
  expect(new Set(receiver.state.attempts.map((a) => a.key)).size).toBe(1);
  expect(receiver.state.attempts).toHaveLength(2);
});

test('defect 3: a redirect is not followed: the report stays on the phone as a server fault, then goes once fixed', async ({ page, serve, receiver }) => {
  receiver.page('/moved', '<!doctype html><title>新地址</title><p>欢迎</p>');
  receiver.fail(302, 1, { location: '/moved' });
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/接收方的回应不正常/)).toBeVisible();
  expect(receiver.state.requests.filter((r) => r.path === '/moved')).toEqual([]);
  expect(receiver.reports()).toHaveLength(0);
  await page.getByRole('button', { name: '立即发送' }).click();
  await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
  expect(new Set(receiver.state.attempts.map((a) => a.key)).size).toBe(1);
});

test('defect 3: a 200 without a ticket keeps the report, reported as a server fault', async ({ page, serve, receiver }) => {
  receiver.fail(200, 1, { body: '<!doctype html><title>登录</title>' });
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/接收方的回应不正常/)).toBeVisible();
  await page.getByRole('button', { name: '立即发送' }).click();
  await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible();
  expect(receiver.reports()).toHaveLength(1);
});

test('defect 5: two tabs keep both tickets after a reload, and each sees the other\'s at once', async ({ page, context, serve, receiver }) => {
  const url = await open(page, serve, receiver);
  const other = await context.newPage();
  await other.goto(url);
  await ready(other);
  // Both tabs were open before either report was received.
  await submit(page, '第一个标签页的报告');
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await submit(other, '第二个标签页的报告');
  await expect(other.getByRole('heading', { name: '已受理' })).toBeVisible();
  const tickets = receiver.reports().map((r) => r.ticket);
  expect(tickets).toHaveLength(2);
  for (const tab of [page, other]) {
    await tab.reload();
    await ready(tab);
    await nav(tab, /我的报告/).click();
    for (const ticket of tickets) await expect(tab.getByText(ticket), ticket).toBeVisible();
  }
  // A third report from one tab shows in the other without a reload.
  await nav(other, '我要报告').click();
  await fillReport(other, { description: '第三条报告' });
  await other.getByRole('button', { name: '提交报告' }).click();
  await expect(other.getByRole('heading', { name: '已受理' })).toBeVisible();
  await expect(page.getByText(receiver.reports()[2].ticket)).toBeVisible();
});

test('defect 6: a failed config load keeps the last good config and the outbox; a newer endpoint wins', async ({ page, serve, receiver }) => {
  const moved = await startReceiver();
  try {
    let config = { ...shippedConfig(), endpoint: receiver.endpoint };
    let failing = false;
    let asked = 0;
    const url = await serve({ routes: { '/config.json': () => { asked += 1; return failing ? { status: 500, body: 'deploy in progress', type: 'text/plain' } : config; } } });
    receiver.fail(503, 1);
    await page.goto(url);
    await ready(page);
    await submit(page, '配置加载失败前保存的报告');
    await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();

    failing = true;
    await page.reload();
    await ready(page);
    await nav(page, '我要报告').click();
    await expect(page.getByText('本页面的配置有误')).toHaveCount(0);
    await expect(page.getByRole('button', { name: '提交报告' })).toBeVisible();
    // The waiting report goes to the last good endpoint.
    await expect.poll(() => receiver.reports().length, { timeout: 15_000 }).toBe(1);

    // The deployer moves the endpoint; the page fetches config.json again and switches.
    config = { ...config, endpoint: moved.endpoint };
    failing = false;
    const before = asked;
    await expect.poll(() => asked, { timeout: 20_000 }).toBeGreaterThan(before);
    await settle(page, 500);
    await submit(page, '新配置之后的报告');
    await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
    expect(moved.reports()).toHaveLength(1);
    expect(receiver.reports()).toHaveLength(1);
  } finally {
    await moved.close();
  }
});

test('defect 7: closing the page right after "send" leaves no draft to send again', async ({ page, serve, receiver }) => {
  receiver.hang(1);
  await open(page, serve, receiver, { timeout_ms: 30000 });
  await submit(page, '只应发送一次的报告');
  // The report is on the wire, no answer yet: the resident closes WeChat and comes back.
  await expect.poll(() => receiver.state.attempts.length).toBe(1);
  await page.reload();
  await ready(page);
  await nav(page, '我要报告').click();
  await expect(page.getByLabel('情况描述')).toHaveValue('');
  await nav(page, /我的报告/).click();
  await expect(page.getByText('只应发送一次的报告')).toHaveCount(1);
});

test('defect 8: start, online and visibility respect Retry-After; only "send now" overrides it', async ({ page, context, serve, receiver }) => {
  receiver.fail(429, 1, { retryAfter: 3600 });
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  expect(receiver.state.attempts).toHaveLength(1);
  await page.reload(); // start
  await ready(page);
  await settle(page);
  expect(receiver.state.attempts).toHaveLength(1);
  await context.setOffline(true); // online
  await context.setOffline(false);
  await settle(page);
  expect(receiver.state.attempts).toHaveLength(1);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await settle(page);
  expect(receiver.state.attempts).toHaveLength(1);
  await nav(page, /我的报告/).click();
  await page.getByRole('button', { name: '立即发送' }).click();
  await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible();
  expect(receiver.state.attempts).toHaveLength(2);
});

test('defect 9: a report that cannot be stored is sent on its own; the queued ones keep going', async ({ page, serve, receiver }) => {
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      if (window.__fullOnce && this.name === 'reports') {
        window.__fullOnce = false;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.call(this, value, key);
    };
  });
  receiver.fail(503, 1);
  await open(page, serve, receiver);
  await submit(page, '先保存在手机上的报告');
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await page.evaluate(() => { window.__fullOnce = true; });
  await page.getByRole('button', { name: '再报告一个' }).click();
  await fillReport(page, { description: '存不下、直接发送的报告' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await expect(page.getByText('这部手机无法保存报告')).toHaveCount(0);
  // The report queued first is still retried (its back-off is a few seconds).
  await expect.poll(() => receiver.reports().length, { timeout: 20_000 }).toBe(2);
  await nav(page, /我的报告/).click();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
});

test('defect 9: after another tab upgrades the database the connection is reopened and reports are kept', async ({ page, serve, receiver }) => {
  await open(page, serve, receiver);
  await settle(page, 300);
  // A newer build in another tab opens the database at the next version.
  const outcome = await page.evaluate(() => new Promise((resolve) => {
    const probe = indexedDB.open('xinjing-safety');
    probe.onsuccess = () => {
      const next = probe.result.version + 1;
      probe.result.close();
      const upgrade = indexedDB.open('xinjing-safety', next);
      upgrade.onblocked = () => resolve('blocked');
      upgrade.onsuccess = () => { upgrade.result.close(); resolve('upgraded'); };
      upgrade.onerror = () => resolve('error');
    };
  }));
  expect(outcome).toBe('upgraded');
  receiver.fail(503, 1);
  await submit(page, '数据库升级后的报告');
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect(page.getByText('这部手机无法保存报告')).toHaveCount(0);
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  // Waiting or already delivered by its retry: either way it is there, once or in both lists
  // for the moment between the ticket and the outbox refresh.
  await expect(page.getByText('数据库升级后的报告').first()).toBeVisible();
});

test('defect 11: "clear my data" empties the form\'s contact and the remember choice in place, the set-aside store too', async ({ page, serve, receiver }) => {
  await open(page, serve, receiver);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await withContact(page, '13912345678', true);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await page.getByRole('button', { name: '再报告一个' }).click();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('13912345678');
  await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('xinjing-safety');
    open.onsuccess = () => {
      const tx = open.result.transaction('aside', 'readwrite');
      tx.objectStore('aside').put('{"contact":{"phone":"13912345678"}}', 'old-entry');
      tx.oncomplete = () => { open.result.close(); resolve(); };
    };
  }));

  await nav(page, /我的报告/).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '清除本机数据' }).click();
  await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
  // No reload: the form this page holds is empty too.
  await nav(page, '我要报告').click();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveCount(0);
  const consent = page.getByRole('checkbox', { name: /我同意把称呼和手机号提供给/ });
  await expect(consent).not.toBeChecked();
  await consent.check();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('');
  await expect(page.getByRole('checkbox', { name: '在这部手机上记住我的联系方式' })).not.toBeChecked();
  for (const store of ['reports', 'bodies', 'outbox', 'aside', 'kv']) expect(await idbDump(page, store), store).toEqual([]);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => ['xj.mine', 'xj.contact', 'xj.draft'].includes(k)))).toEqual([]);
});

test('defect 11: in the demo, "clear my data" also empties the mock backend', async ({ page, serve }) => {
  await page.goto(await serve({ config: { endpoint: 'mock' } }));
  await ready(page);
  await submit(page, '演示模式下提交的报告');
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await nav(page, /我的报告/).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '清除本机数据' }).click();
  await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
  await page.getByRole('button', { name: '居委会收到的报告' }).click();
  await expect(page.getByText('模拟后台还没有收到报告。')).toBeVisible();
  expect(await idbDump(page, 'kv')).toEqual([]);
});

test('defect 12: "edit and resend" keeps the original, photos and contact, until the corrected one is queued', async ({ page, serve, receiver }) => {
  receiver.fail(503, 1);
  receiver.fail(422, 1, { message: '请补充具体楼层后再提交' });
  await open(page, serve, receiver);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 800, 600) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await withContact(page, '13912345678', false);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await nav(page, /我的报告/).click();
  await page.getByRole('button', { name: '立即发送' }).click();
  await expect(page.getByText('未被受理：请补充具体楼层后再提交')).toBeVisible();
  await page.getByRole('button', { name: '修改后重新发送' }).click();
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  // The phone is closed before the corrected report is sent: nothing may be lost.
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByText('未被受理：请补充具体楼层后再提交')).toBeVisible();
  await page.getByRole('button', { name: '修改后重新发送' }).click();
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('13912345678');
  await page.getByLabel('楼层或具体位置').fill('6楼东侧');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const [report] = receiver.reports();
  expect(receiver.reports()).toHaveLength(1);
  expect(report.body.location.detail).toBe('6楼东侧');
  expect(report.body.photos).toHaveLength(1);
  expect(report.body.contact.phone).toBe('13912345678');
  await nav(page, /我的报告/).click();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
});

test('defect 13: a photo that never finishes preparing can be cancelled, and the report sent', async ({ page, serve, receiver }) => {
  await page.addInitScript(() => {
    // No worker, and decoding that never ends (a broken file, a stuck decoder).
    window.OffscreenCanvas = undefined;
    window.createImageBitmap = () => new Promise(() => {});
    HTMLImageElement.prototype.decode = () => new Promise(() => {});
  });
  await open(page, serve, receiver);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'stuck.jpg', mimeType: 'image/jpeg', buffer: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) });
  await expect(page.getByText('正在处理照片…')).toBeVisible();
  await expect(page.getByRole('button', { name: '提交报告' })).toBeDisabled();
  await page.getByRole('button', { name: '取消照片 1' }).click();
  await expect(page.getByLabel('添加照片 1')).toBeAttached();
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()[0].body.photos).toEqual([]);
});
