// The app loads when it is needed (boot.js): at once for a QR link or a waiting report, at
// the first intent to report, otherwise when idle; and the static first paint shows the same
// campaigns, in the same order, as the app.
import { test, expect, ready, fillReport, shippedConfig, shippedFeed, shanghaiDay, activeOn } from './fixtures.mjs';

// The wasm request waits until release() is called, so the static page can be used first.
async function holdWasm(page) {
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  let asked = false;
  await page.route('**/*.wasm', async (route) => { asked = true; await released; await route.continue(); });
  return { release, asked: () => asked };
}

// No idle time ever comes: only the reasons to load at once, or an intent, start the app.
const NEVER_IDLE = () => { window.requestIdleCallback = () => 0; };

const staticTitles = (page) => page.locator('#xj-static .xj-card:visible h3').allInnerTexts();
const appTitles = (page) => page.locator('#xj-app .xj-cards h3').allInnerTexts();

for (const lang of ['zh', 'en']) {
  test(`the static page and the app show the same campaigns in the same order (${lang})`, async ({ page, serve }) => {
    const feed = shippedFeed();
    // Today, and a day on which only some campaigns run (the day after the earliest end).
    const ends = [...new Set(feed.campaigns.map((c) => c.end))].sort();
    for (const day of [null, new Date(Date.parse(ends[0] + 'T12:00:00+08:00') + 86400e3)]) {
      if (day) await page.clock.setFixedTime(day);
      const wasm = await holdWasm(page);
      await page.goto((await serve()) + (lang === 'en' ? '?lang=en' : ''));
      const before = await staticTitles(page);
      const iso = day ? new Date(day.getTime() + 8 * 3600e3).toISOString().slice(0, 10) : shanghaiDay();
      expect(before).toEqual(activeOn(feed, iso).map((c) => c.title[lang]));
      wasm.release();
      await ready(page);
      expect(await appTitles(page)).toEqual(before);
      await page.unroute('**/*.wasm');
    }
  });
}

test('a tap on "report this" before the app has loaded opens the form for that campaign', async ({ page, serve }) => {
  const wasm = await holdWasm(page);
  await page.goto(await serve());
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: '不要飞线充电' }) });
  await card.getByRole('button', { name: '报告此类隐患' }).click();
  wasm.release();
  await expect(page.getByRole('heading', { name: '报告安全隐患' })).toBeVisible();
  await expect(page.getByLabel('隐患类型')).toHaveValue('flying_line_charging');
  await expect(page.locator('#xj-static')).toHaveCount(0);
});

test('the report and my-reports tabs of the static page open those screens', async ({ page, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  const url = await serve();
  await page.goto(url);
  await page.getByRole('navigation').getByRole('button', { name: '我的报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理的报告' })).toBeVisible();
  await page.goto(url);
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByRole('heading', { name: '报告安全隐患' })).toBeVisible();
});

test('a reader who only reads never loads the app until the page is idle; a touch on an action starts it', async ({ page, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  const wasm = await holdWasm(page);
  await page.goto(await serve());
  await page.getByText('查看详情').first().click();
  await page.waitForTimeout(1000);
  expect(wasm.asked()).toBe(false);
  await page.getByRole('button', { name: '报告此类隐患' }).first().dispatchEvent('pointerdown');
  await expect.poll(wasm.asked).toBe(true);
  wasm.release();
  // Mounted, but the reader has a campaign's details open: the static page stays until they
  // close them (or tap an action), so nothing moves under their eyes.
  await page.waitForFunction(() => document.getElementById('xj-app')?.querySelector('.xj-tabs'));
  await page.waitForTimeout(300);
  await expect(page.locator('#xj-static')).toHaveCount(1);
  await page.getByText('查看详情').first().click();
  await ready(page);
});

// Tells the browser's tasks apart: a message that posts itself again is a task between any
// two others, so each task gets its own number. Records the numbers of the tasks that changed
// the app's hidden slot, until the app says it is mounted.
const COUNT_TASKS = () => {
  const t = (window.__tasks = { n: 0, changed: [], done: false });
  const channel = new MessageChannel();
  channel.port1.onmessage = () => { t.n += 1; if (!t.done) channel.port2.postMessage(0); };
  channel.port2.postMessage(0);
  new MutationObserver((records) => {
    const slot = document.getElementById('xj-app');
    if (!t.done && slot && records.some((r) => slot.contains(r.target))) t.changed.push(t.n);
  }).observe(document, { childList: true, subtree: true });
  // After the observer's own callback for what that task changed.
  addEventListener('xj-mounted', () => queueMicrotask(() => { t.done = true; }));
};

test('the app is built in steps, each a task of its own, so a tap at start-up waits for one step only', async ({ page, serve, receiver }) => {
  await page.addInitScript(COUNT_TASKS);
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  const tasks = await page.evaluate(() => new Set(window.__tasks.changed).size);
  // The app's state and root, its shell (header, emergency numbers, tabs), then the screen.
  expect(tasks).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
});

test('a tap on "report" makes the fields usable a task before the photos and contact are built', async ({ page, serve, receiver }) => {
  await page.addInitScript(COUNT_TASKS);
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  // The task in which each part first appeared in the app, counted from the tap.
  await page.evaluate(() => {
    const t = window.__tasks;
    t.first = {};
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { t.n += 1; if (!t.first.photos) channel.port2.postMessage(0); };
    channel.port2.postMessage(0);
    new MutationObserver(() => {
      for (const [part, selector] of [['fields', '#xj-description'], ['photos', '.xj-photos'], ['contact', '#xj-share-contact']]) {
        if (t.first[part] === undefined && document.querySelector(selector)) t.first[part] = t.n;
      }
    }).observe(document.getElementById('xj-app'), { childList: true, subtree: true });
  });
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByLabel('添加照片 1')).toBeAttached();
  await expect(page.getByLabel('情况描述')).toBeEditable();
  const first = await page.evaluate(() => window.__tasks.first);
  expect(first.photos).toBeGreaterThan(first.fields);
  expect(first.contact).toBe(first.photos);
});

test('a QR link with a place starts the app at once', async ({ page, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  const community = shippedConfig().communities[1];
  await page.goto(`${await serve()}?community=${encodeURIComponent(community)}&building=5号楼`);
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByLabel('居民区', { exact: true })).toHaveValue(community);
  await expect(page.getByLabel('楼号 / 单元')).toHaveValue('5号楼');
});

test('a report waiting in the outbox starts the app at once on the next visit', async ({ page, serve, receiver }) => {
  receiver.fail(503, 1000);
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(url);
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => localStorage.getItem('xj.outbox'))).toBe('1');

  await page.addInitScript(NEVER_IDLE);
  await page.reload();
  await ready(page);
  await expect(page.getByRole('navigation').getByRole('button', { name: /我的报告/ })).toContainText('1');
  receiver.state.faults.length = 0;
  await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
  // Sent (now or at the next retry): the count outside the wasm follows.
  await page.getByRole('button', { name: '立即发送' }).click({ timeout: 5000 }).catch(() => {});
  await expect.poll(() => page.evaluate(() => localStorage.getItem('xj.outbox')), { timeout: 30_000 }).toBe('0');
});
