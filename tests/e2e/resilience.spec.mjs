// A hostile network, a second deployment and an impatient resident: each test shows one
// way the widget used to let a resident down, against the reference receiver in Chromium.
import { test, expect, ready, fillReport, jpegWithGps, DIST, DEMO_DIST, shippedConfig } from './fixtures.mjs';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';

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

test('a second report sent while the first is on the wire goes once the first is answered', async ({ page, serve, receiver }) => {
  receiver.hold(1);
  await open(page, serve, receiver);
  await submit(page, '第一份：3 楼楼道停着电动车');
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await submit(page, '第二份：5 楼楼道有人飞线充电');
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  expect(receiver.release()).toBe(1);
  // No reload, no going offline and back, no "send now": both arrive on their own.
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/XJ-\d{8}-0002/)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
  expect(receiver.reports()).toHaveLength(2);
});

test('a proxy\'s HTML 404 is not the town refusing: the report is kept, retried, and arrives once', async ({ page, serve, receiver }) => {
  receiver.fail(404, 1, { body: '<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>' });
  await open(page, serve, receiver);
  await submit(page);
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect(page.getByText(/未被受理/)).toHaveCount(0);
  // Retried with back-off, without the resident doing anything.
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible({ timeout: 30_000 });
  expect(receiver.reports()).toHaveLength(1);
  expect(new Set(receiver.state.attempts.map((a) => a.key)).size).toBe(1);
  expect(receiver.state.attempts).toHaveLength(2);
});

test('a proxy\'s HTML 403 shows as the receiving server answering wrongly, in English too', async ({ page, serve, receiver }) => {
  receiver.fail(403, 1, { body: '<!doctype html><title>Access denied</title><h1>403 Forbidden</h1>' });
  await page.goto((await serve({ config: { endpoint: receiver.endpoint } })) + '?lang=en');
  await ready(page);
  await nav(page, /^Report$/).click();
  await page.getByLabel('Type of hazard').selectOption({ index: 2 });
  await page.getByLabel('Residential area', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('Building / entrance').fill('Building 2');
  await page.getByLabel('What did you see?').fill('An e-bike is charging in the stairwell on floor 3');
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('heading', { name: 'Saved on this phone, not sent yet' })).toBeVisible();
  await nav(page, /My reports/).click();
  await expect(page.getByText(/The receiving server answered wrongly/)).toBeVisible();
  await expect(page.getByText(/Not accepted/)).toHaveCount(0);
});

test('a refused first attempt keeps its photos and contact for the correction, across a reload', async ({ page, serve, receiver }) => {
  receiver.fail(422, 1, { message: '请补充具体楼层后再提交' });
  await open(page, serve, receiver);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 800, 600) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByRole('checkbox', { name: /我同意把称呼和手机号提供给/ }).check();
  await page.getByLabel('手机号', { exact: true }).fill('13912345678');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '未被受理：请补充具体楼层后再提交' })).toBeVisible();
  // The phone is closed before the correction is sent: the photo and the contact come back.
  await page.reload();
  await ready(page);
  await nav(page, '我要报告').click();
  await expect(page.getByLabel('情况描述')).toHaveValue('3 楼楼道停着一辆电动车在充电');
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('13912345678');
  await page.getByLabel('楼层或具体位置').fill('6楼东侧');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const reports = receiver.reports();
  expect(reports).toHaveLength(1);
  expect(reports[0].body.location.detail).toBe('6楼东侧');
  expect(reports[0].body.photos).toHaveLength(1);
  expect(reports[0].body.contact.phone).toBe('13912345678');
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible();
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
});

// No idle time ever comes: only an intent starts the app.
const NEVER_IDLE = () => { window.requestIdleCallback = () => 0; };

test('no signal while the app downloads: "no connection", not "this browser cannot"; it opens the form once back online', async ({ page, context, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  await page.goto(await serve());
  await context.setOffline(true);
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '没有网络连接' })).toBeVisible();
  await expect(page.getByText('此浏览器无法打开在线报告')).toBeHidden();
  await context.setOffline(false);
  await expect(page.getByRole('heading', { name: '报告安全隐患' })).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#xj-static')).toHaveCount(0);
});

test('an app download that fails is tried again at the next tap, which opens the screen asked for (English)', async ({ page, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  await page.route('**/*.wasm', (route) => route.abort('internetdisconnected'));
  await page.goto((await serve()) + '?lang=en');
  await page.getByRole('navigation').getByRole('button', { name: 'Report', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'No connection' })).toBeVisible();
  await expect(page.getByText('This browser cannot open the report form')).toBeHidden();
  await page.unroute('**/*.wasm');
  await page.getByRole('navigation').getByRole('button', { name: 'My reports' }).click();
  await expect(page.getByRole('heading', { name: 'Received reports' })).toBeVisible({ timeout: 20_000 });
});

test('a kept report is written with strict durability, and the browser is asked once to persist storage', async ({ page, serve, receiver }) => {
  await page.addInitScript(() => {
    window.__persist = 0;
    StorageManager.prototype.persist = function () { window.__persist += 1; return Promise.resolve(true); };
    window.__writes = [];
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (...args) {
      const tx = transaction.apply(this, args);
      if (tx.mode === 'readwrite') window.__writes.push({ stores: [...tx.objectStoreNames], durability: tx.durability });
      return tx;
    };
  });
  receiver.hold(1);
  await open(page, serve, receiver);
  expect(await page.evaluate(() => window.__persist)).toBe(0);
  await submit(page, '第一份：3 楼楼道停着电动车');
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.__persist)).toBe(1);
  receiver.release();
  await submit(page, '第二份：5 楼楼道有人飞线充电');
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const writes = await page.evaluate(() => window.__writes);
  // Waiting reports are kept in 'reports' (records) and 'bodies' (their photos).
  const outboxWrites = writes.filter((w) => w.stores.includes('reports'));
  expect(outboxWrites.length).toBeGreaterThan(0);
  expect(outboxWrites.map((w) => w.durability)).toEqual(outboxWrites.map(() => 'strict'));
  expect(await page.evaluate(() => window.__persist)).toBe(1);
});

for (const [lang, query, mine, text] of [
  ['zh', '', /我的报告/, '如果本页面嵌在别的网站或公众号页面里'],
  ['en', '?lang=en', /My reports/, 'When the page is embedded in another site'],
]) {
  test(`"clear my data" says what it covers when the page is embedded (${lang})`, async ({ page, serve, receiver }) => {
    await page.goto((await serve({ config: { endpoint: receiver.endpoint } })) + query);
    await ready(page);
    await nav(page, mine).click();
    await expect(page.getByText(text)).toBeVisible();
  });
}

test('every JS file the page or the app loads is named by its content', async () => {
  const walk = (dir) => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const files = walk(DIST).filter((f) => f.endsWith('.js')).map((f) => relative(DIST, f));
  // Names others rely on: the service worker's URL is its identity, host pages link
  // embed.js, and nomodule.js only ever adds one class.
  const fixed = ['sw.js', 'embed.js', 'nomodule.js'];
  const digest = (file) => createHash('sha256').update(readFileSync(join(DIST, file))).digest('hex');
  for (const file of files.filter((f) => !fixed.includes(f))) {
    const hash = file.match(/-([0-9a-f]{12,16})\.js$/)?.[1];
    expect(hash, `${file} has no content hash in its name`).toBeTruthy();
    if (/^(snippets\/|photo-worker-|boot-)/.test(file)) expect(digest(file).startsWith(hash), `${file} is not named by its content`).toBe(true);
  }
  const snippets = files.filter((f) => f.startsWith('snippets/'));
  expect(snippets.some((f) => /\/browser-[0-9a-f]{16}\.js$/.test(f))).toBe(true);
  // The glue and the wasm share one name, which covers both.
  const glue = files.find((f) => /^xinjing-safety-[0-9a-f]{16}\.js$/.test(f));
  expect(readdirSync(DIST)).toContain(glue.replace('.js', '_bg.wasm'));
});

test('a report waiting for the town\'s endpoint is never "delivered" to the demo mock after the config changes', async ({ page, serve, receiver }) => {
  let config = { ...shippedConfig(), endpoint: receiver.endpoint };
  // The demo build: the only one that can take the mock config the deployer switches to.
  const url = await serve({ routes: { '/config.json': () => config }, dir: DEMO_DIST });
  receiver.fail(503, 1);
  await page.goto(url);
  await ready(page);
  await submit(page, '换配置之前保存的报告');
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  // The deployer switches the page to the demo; the phone opens it again.
  config = { ...config, endpoint: 'mock' };
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/XJ-\d{8}-\d{4}/)).toBeVisible({ timeout: 20_000 });
  expect(receiver.reports()).toHaveLength(1);
  // Its status is asked of the endpoint that has it, under its key, not of the mock.
  const [report] = receiver.reports();
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await expect.poll(() => receiver.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith(report.ticket)).length).toBeGreaterThan(0);
});
