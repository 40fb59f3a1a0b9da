// Strict CSP, the crash screen, clearing the phone's data, and storage that does not work.
import { test, expect, ready, fillReport, jpegWithGps } from './fixtures.mjs';
import { securityHeaders } from '../../scripts/serve.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

test('works under the strict Content-Security-Policy with no violation', async ({ page, serve, receiver }) => {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const url = await serve({ config: { endpoint: receiver.endpoint }, csp: true });
  const response = await page.goto(url);
  expect(response.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(response.headers()['referrer-policy']).toBe('no-referrer');
  await ready(page);
  await page.getByRole('button', { name: '查看详情' }).first().click();
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 1200, 900) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await nav(page, /我的报告/).click();
  await page.getByRole('button', { name: '长辈模式' }).click();
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
  expect(receiver.reports()).toHaveLength(1);
});

test('a deployer policy that forbids workers still gets photos prepared, on the page', async ({ page, serve, receiver }) => {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
  });
  const strict = securityHeaders({ endpointOrigin: new URL(receiver.endpoint).origin });
  strict['Content-Security-Policy'] += "; worker-src 'none'";
  await page.goto(await serve({ config: { endpoint: receiver.endpoint }, headers: strict }));
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 2000, 1500) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()[0].body.photos[0]).toMatchObject({ width: 1600, height: 1200 });
  expect(await page.evaluate(() => window.__violations)).toContain('worker-src');
});

test('a crash shows a plain message with the phone numbers, and waiting reports survive', async ({ page, serve, receiver }) => {
  receiver.fail(503, 1000);
  const url = await serve({ config: { endpoint: receiver.endpoint }, dir: 'dist-crash-test' });
  await page.goto(url);
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '崩溃前保存的报告' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();

  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url + '?crash=1');
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading', { name: '出了点问题' })).toBeVisible();
  await expect(alert).toContainText('已保存在这部手机上的报告不会丢失');
  await expect(alert.getByRole('link', { name: '重新加载' })).toBeVisible();
  for (const number of ['119', '110', '12345']) await expect(alert.locator(`a[href="tel:${number}"]`)).toBeVisible();
  expect(errors.join('\n')).toContain('crashed');

  await page.goto(url);
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByText('崩溃前保存的报告')).toBeVisible();
});

test('the shipped build has no crash switch', async ({ page, serve }) => {
  // A ticket kept on the phone shows only once start-up has loaded "my reports", which is
  // later than the crash-test build panics: seeing it proves start-up ran past that point.
  await page.addInitScript(() => localStorage.setItem('xj.mine', JSON.stringify([{
    ticket: 'XJ-20261130-0042', id: '6f1c2a3b-0000-4000-8000-000000000042', created_at: '2026-11-30T09:00:00+08:00',
    category: 'other', community: '示例一村（演示）', excerpt: '楼道灯坏了', status: 'received',
  }])));
  await page.goto((await serve()) + '?crash=1');
  await ready(page);
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  await expect(page.getByText('XJ-20261130-0042')).toBeVisible();
  await expect(page.getByRole('heading', { name: '已受理的报告' })).toBeVisible();
});

test('contact is remembered only when asked; "clear my data" removes history, draft and contact', async ({ page, serve, receiver }) => {
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(url);
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByRole('checkbox', { name: /我同意/ }).check();
  await page.getByLabel('手机号', { exact: true }).fill('13912345678');
  await page.getByRole('checkbox', { name: '在这部手机上记住我的联系方式' }).check();
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await page.reload();
  await ready(page);
  await nav(page, '我要报告').click();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('13912345678');
  await page.getByLabel('情况描述').fill('还没写完的草稿');

  await nav(page, /我的报告/).click();
  await expect(page.getByText(receiver.reports()[0].ticket)).toBeVisible();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: '清除本机数据' }).click();
  await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
  await page.reload();
  await ready(page);
  await expect(page.getByText(receiver.reports()[0].ticket)).toHaveCount(0);
  await nav(page, '我要报告').click();
  await expect(page.getByLabel('情况描述')).toHaveValue('');
  await expect(page.getByLabel('手机号', { exact: true })).toHaveCount(0);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => ['xj.mine', 'xj.contact', 'xj.draft'].includes(k)))).toEqual([]);
});

test('clearing asks first when unsent reports would be lost', async ({ page, serve, receiver }) => {
  receiver.fail(503, 1000);
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await nav(page, /我的报告/).click();
  let question = '';
  page.once('dialog', (dialog) => { question = dialog.message(); dialog.dismiss(); });
  await page.getByRole('button', { name: '清除本机数据' }).click();
  await expect.poll(() => question).toContain('1 条报告尚未发送');
  await expect(page.getByRole('heading', { name: '尚未发送' })).toBeVisible();
});

test('storage unavailable: a clear message, the report is sent directly, or can be copied', async ({ page, serve, receiver }) => {
  await page.addInitScript(() => {
    const denied = () => { throw new DOMException('The operation is insecure.', 'SecurityError'); };
    Object.defineProperty(window, 'localStorage', { get: denied });
    Object.defineProperty(window, 'indexedDB', { get: denied });
  });
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await nav(page, '我要报告').click();
  await expect(page.getByRole('status').filter({ hasText: '这部手机无法保存报告' })).toBeVisible();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()).toHaveLength(1);

  receiver.fail(503, 1);
  await page.getByRole('button', { name: '再报告一个' }).click();
  await fillReport(page, { description: '第二条报告发送失败时可以复制' });
  await page.getByRole('button', { name: '提交报告' }).click();
  const failure = page.getByRole('alert').filter({ hasText: '发送失败，且无法保存在本机' });
  await expect(failure).toBeVisible();
  await expect(failure).toContainText('第二条报告发送失败时可以复制');
  await expect(failure.getByRole('button', { name: '复制报告内容' })).toBeVisible();
  await expect(page.getByLabel('情况描述')).toHaveValue('第二条报告发送失败时可以复制');
  await expect(page.getByRole('link', { name: '热线 12345' }).first()).toBeVisible();
});

test('a corrupted saved report is set aside and reported, not deleted, and the rest still works', async ({ page, serve, receiver }) => {
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(url);
  await ready(page);
  // Written where the builds before this one kept their waiting reports.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('xinjing-safety');
    open.onsuccess = () => {
      const tx = open.result.transaction('outbox', 'readwrite');
      tx.objectStore('outbox').put('{"from":"an old version", "photos": [', 'old-entry');
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByRole('status').filter({ hasText: '有 1 条保存的报告无法读取' })).toBeVisible();
  const aside = await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('xinjing-safety');
    open.onsuccess = () => { const r = open.result.transaction('aside').objectStore('aside').get('old-entry'); r.onsuccess = () => resolve(r.result); };
  }));
  expect(aside).toBe('{"from":"an old version", "photos": [');
  // The notice lasts as long as the record is kept aside, not just for the page that moved it.
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByRole('status').filter({ hasText: '有 1 条保存的报告无法读取' })).toBeVisible();
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
});
