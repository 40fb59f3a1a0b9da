// Two deployments of the widget on one site (two towns' pages at /a/ and /b/): each keeps
// its own waiting reports, tickets and draft, sends only its own, and "clear my data" in one
// leaves the other's.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, expect, ready, fillReport, shippedConfig, DIST } from './fixtures.mjs';
import { startStatic } from '../../scripts/serve.mjs';
import { startReceiver } from './receiver.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });
const waitingList = (page) => page.getByRole('heading', { name: '尚未发送' });

async function submit(page, description) {
  await nav(page, '我要报告').click();
  await fillReport(page, { description });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
}

test('two deployments on one origin neither see nor send each other\'s waiting reports, and clearing one keeps the other\'s', async ({ context, receiver }) => {
  const townB = await startReceiver();
  const root = mkdtempSync(join(tmpdir(), 'xj-two-deployments-'));
  symlinkSync(resolve(DIST), join(root, 'a'));
  symlinkSync(resolve(DIST), join(root, 'b'));
  const site = await startStatic({
    dir: root,
    routes: {
      '/a/config.json': { ...shippedConfig(), endpoint: receiver.endpoint },
      '/b/config.json': { ...shippedConfig(), endpoint: townB.endpoint },
    },
  });
  // Both endpoints out of reach for now: every report waits on the phone.
  const down = (url) => url.origin === receiver.origin || url.origin === townB.origin;
  await context.route(down, (route) => route.abort('internetdisconnected'));
  try {
    const a = await context.newPage();
    await a.goto(site.origin + '/a/');
    await ready(a);
    await submit(a, 'A 区的报告：楼道里停着电动车');

    const b = await context.newPage();
    await b.goto(site.origin + '/b/');
    await ready(b);
    await nav(b, /我的报告/).click();
    await expect(b.getByText('还没有已受理的报告。')).toBeVisible();
    await expect(waitingList(b)).toHaveCount(0);
    await expect(b.getByText(/A 区的报告/)).toHaveCount(0);

    await submit(b, 'B 区的报告：消防通道被堵住了');
    await nav(b, /我的报告/).click();
    await expect(b.getByText(/B 区的报告/)).toBeVisible();
    await expect(b.getByText(/A 区的报告/)).toHaveCount(0);
    b.once('dialog', (dialog) => dialog.accept());
    await b.getByRole('button', { name: '清除本机数据' }).click();
    await expect(waitingList(b)).toHaveCount(0);

    // A's open tab did not hear B's "cleared" (each deployment has its own channel), and
    // A's report outlived B's "clear my data"; it goes to A's endpoint once that answers.
    await nav(a, /我的报告/).click();
    await expect(a.getByText(/A 区的报告/)).toBeVisible();
    await a.reload();
    await ready(a);
    await nav(a, /我的报告/).click();
    await expect(a.getByText(/A 区的报告/)).toBeVisible();
    await expect(a.getByText(/B 区的报告/)).toHaveCount(0);
    await context.unroute(down);
    await a.getByRole('button', { name: '立即发送' }).click();
    await expect(a.getByText(/XJ-\d{8}-0001/)).toBeVisible();
    expect(receiver.reports().map((r) => r.body.description)).toEqual(['A 区的报告：楼道里停着电动车']);

    // B, started again with its endpoint answering, has nothing to send and no ticket of A's.
    await b.reload();
    await ready(b);
    await nav(b, /我的报告/).click();
    await expect(b.getByText('还没有已受理的报告。')).toBeVisible();
    await expect(b.getByText(/XJ-\d{8}-0001/)).toHaveCount(0);
    expect(townB.state.attempts).toEqual([]);
  } finally {
    await site.close();
    await townB.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a report an older build kept at /a/ under the names every deployment shared is sent from /a/ after the upgrade, not from /b/', async ({ page, serve, receiver }) => {
  // A real report body, as the app writes it, from a first deployment on its own origin.
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '用来做模板的报告' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const template = receiver.reports()[0].body;

  const townB = await startReceiver();
  const root = mkdtempSync(join(tmpdir(), 'xj-upgrade-'));
  symlinkSync(resolve(DIST), join(root, 'a'));
  symlinkSync(resolve(DIST), join(root, 'b'));
  const configA = { ...shippedConfig(), endpoint: receiver.endpoint };
  const site = await startStatic({
    dir: root,
    routes: { '/a/config.json': configA, '/b/config.json': { ...shippedConfig(), endpoint: townB.endpoint } },
  });
  try {
    // What an older build at /a/ left: the shared database with a waiting report (body
    // inline, no endpoint kept), and the last config it loaded.
    const id = '3f1e6c2a-9b4d-4e8f-a1c3-5d7b9e2f4a61';
    const body = JSON.stringify({ ...template, id, description: '升级前在 /a/ 保存的报告' });
    await page.goto(site.origin + '/a/config.json');
    await page.evaluate(([id, body, config]) => new Promise((done, fail) => {
      localStorage.setItem('xj.config', config);
      const open = indexedDB.open('xinjing-safety', 1);
      open.onupgradeneeded = () => { for (const s of ['outbox', 'aside', 'kv']) open.result.createObjectStore(s); };
      open.onsuccess = () => {
        const tx = open.result.transaction('outbox', 'readwrite');
        tx.objectStore('outbox').put(JSON.stringify({ id, body, queued_at_ms: Date.now() - 60_000, attempts: 1, next_attempt_ms: 0 }), id);
        tx.oncomplete = () => { open.result.close(); done(); };
        tx.onerror = () => fail(tx.error);
      };
    }), [id, body, JSON.stringify(configA)]);

    await page.goto(site.origin + '/b/');
    await ready(page);
    await nav(page, /我的报告/).click();
    await expect(page.getByText('还没有已受理的报告。')).toBeVisible();
    await expect(page.getByText(/升级前在/)).toHaveCount(0);

    await page.goto(site.origin + '/a/');
    await ready(page);
    await expect.poll(() => receiver.reports().map((r) => r.key)).toContain(id);
    await nav(page, /我的报告/).click();
    await expect(page.getByText(/XJ-\d{8}-0002/)).toBeVisible();
    expect(townB.state.attempts).toEqual([]);
  } finally {
    await site.close();
    await townB.close();
    rmSync(root, { recursive: true, force: true });
  }
});
