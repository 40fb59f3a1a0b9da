// Two deployments of the widget on one site (two towns' pages at /a/ and /b/): each keeps
// its own waiting reports, tickets and draft, sends only its own, and "clear my data" in one
// leaves the other's.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, expect, ready, fillReport, shippedConfig, DIST } from './fixtures.mjs';
import { startStatic } from '../../scripts/serve.mjs';
import { startReceiver } from './receiver.mjs';
import { seedOlderBuild, sharedKeys, olderRecord } from './older-build.mjs';

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

/** A real report body, as the app writes it, from a deployment on an origin of its own. */
async function templateBody(page, serve, receiver) {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '用来做模板的报告' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  return receiver.reports()[0].body;
}

/** /a/ and /b/ of one site, for two towns that serve different communities. */
async function twoTowns(receiver, townB) {
  const root = mkdtempSync(join(tmpdir(), 'xj-upgrade-'));
  symlinkSync(resolve(DIST), join(root, 'a'));
  symlinkSync(resolve(DIST), join(root, 'b'));
  const [one, two, three, four] = shippedConfig().communities;
  const configA = { ...shippedConfig(), endpoint: receiver.endpoint, communities: [one, two] };
  const configB = { ...shippedConfig(), endpoint: townB.endpoint, communities: [three, four] };
  const site = await startStatic({ dir: root, routes: { '/a/config.json': configA, '/b/config.json': configB } });
  return { site, configA, configB, root, communities: { one, three } };
}

test('after the upgrade each deployment takes over only the older build\'s reports that are its own, by the report, never by the site\'s last config', async ({ page, serve, receiver }) => {
  const template = await templateBody(page, serve, receiver);
  const townB = await startReceiver();
  const { site, configB, root, communities } = await twoTowns(receiver, townB);
  try {
    const ids = ['3f1e6c2a-9b4d-4e8f-a1c3-5d7b9e2f4a61', '3f1e6c2a-9b4d-4e8f-a1c3-5d7b9e2f4a62', '3f1e6c2a-9b4d-4e8f-a1c3-5d7b9e2f4a63'];
    await page.goto(site.origin + '/a/config.json');
    await seedOlderBuild(page, {
      outbox: [
        // Kept before reports remembered their endpoint: A's by its community.
        olderRecord(template, ids[0], '升级前的报告一：A 区的居民区', { community: communities.one }),
        olderRecord(template, ids[1], '升级前的报告二：排给 A 的接收端', { endpoint: receiver.endpoint }),
        // Queued for B's endpoint, though its community is one A serves: B's.
        olderRecord(template, ids[2], '升级前的报告三：排给 B 的接收端', { endpoint: townB.endpoint, community: communities.one }),
      ],
      // The last config an older build loaded on the site was B's (a tab of it at /b/): it
      // decides nothing, or B would take A's report without an endpoint.
      local: { 'xj.config': JSON.stringify(configB) },
    });

    await page.goto(site.origin + '/b/');
    await ready(page);
    await expect.poll(() => townB.reports().map((r) => r.key)).toEqual([ids[2]]);
    await nav(page, /我的报告/).click();
    await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible();
    await expect(page.getByText(/升级前的报告[一二]/)).toHaveCount(0);

    await page.goto(site.origin + '/a/');
    await ready(page);
    await expect.poll(() => receiver.reports().map((r) => r.key).sort()).toEqual([...ids.slice(0, 2), receiver.reports()[0].key].sort());
    await nav(page, /我的报告/).click();
    await expect(page.getByText(/XJ-\d{8}-0003/)).toBeVisible();
    expect(townB.state.attempts.map((a) => a.key)).toEqual([ids[2]]);
    expect(await sharedKeys(page, 'outbox')).toEqual([]);
  } finally {
    await site.close();
    await townB.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a report an older tab queues after a deployment off the root took over is still taken and sent', async ({ page, serve, receiver }) => {
  const template = await templateBody(page, serve, receiver);
  const townB = await startReceiver();
  const { site, root } = await twoTowns(receiver, townB);
  try {
    await page.goto(site.origin + '/a/config.json');
    await seedOlderBuild(page, { outbox: [] });
    await page.goto(site.origin + '/a/');
    await ready(page);
    // A's takeover has looked at the shared store (empty) at least once.
    await expect(page.getByRole('button', { name: '立即发送' })).toHaveCount(0);
    // Then an older build's tab of A, still open in the background, queues a report. It
    // lands while this build is not running: a live tab could take it and be cut off by a
    // reload between the copy and the delete, leaving the old record leased for a minute.
    await page.goto(site.origin + '/a/config.json');
    const id = '3f1e6c2a-9b4d-4e8f-a1c3-5d7b9e2f4a71';
    await seedOlderBuild(page, { outbox: [olderRecord(template, id, '接管之后旧标签页保存的报告', { endpoint: receiver.endpoint })] });
    await page.goto(site.origin + '/a/');
    await ready(page);
    await expect.poll(() => receiver.reports().map((r) => r.key)).toContain(id);
    expect(await sharedKeys(page, 'outbox')).toEqual([]);
    expect(receiver.state.attempts.filter((a) => a.key === id)).toHaveLength(1);
  } finally {
    await site.close();
    await townB.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a takeover resumed after a crash between copy and delete keeps the copy that moved on', async ({ page, serve, receiver }) => {
  const template = await templateBody(page, serve, receiver);
  const townB = await startReceiver();
  const { site, root } = await twoTowns(receiver, townB);
  const down = (url) => url.origin === receiver.origin;
  await page.context().route(down, (route) => route.abort('internetdisconnected'));
  try {
    await page.goto(site.origin + '/a/');
    await ready(page);
    // What a tab closed between the two steps left: the older record still in the shared
    // store (its lease since run out), and A's copy, whose body was corrected since. Set
    // up with A not running, which would otherwise take the record while it is written,
    // once A has made its database.
    const made = () => page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name === 'xinjing-safety@/a/'));
    await expect.poll(made).toBe(true);
    await page.goto(site.origin + '/a/config.json');
    const id = '3f1e6c2a-9b4d-4e8f-a1c3-5d7b9e2f4a81';
    const [, raw] = olderRecord(template, id, '崩溃前复制的旧内容', { endpoint: receiver.endpoint });
    const corrected = JSON.stringify({ ...template, id, description: '复制之后改过的内容' });
    await seedOlderBuild(page, { outbox: [[id, raw]] });
    await page.evaluate(([id, record, body]) => new Promise((done, fail) => {
      const open = indexedDB.open('xinjing-safety@/a/');
      open.onsuccess = () => {
        const tx = open.result.transaction(['reports', 'bodies'], 'readwrite');
        tx.objectStore('reports').put(record, id);
        tx.objectStore('bodies').put(body, id);
        tx.oncomplete = () => { open.result.close(); done(); };
        tx.onabort = () => fail(tx.error);
      };
      open.onerror = () => fail(open.error);
    }), [id, JSON.stringify({ ...JSON.parse(raw), body: '' }), corrected]);
    await page.context().unroute(down);
    await page.goto(site.origin + '/a/');
    await ready(page);
    await expect.poll(() => receiver.reports().filter((r) => r.key === id).map((r) => r.body.description)).toEqual(['复制之后改过的内容']);
    expect(await sharedKeys(page, 'outbox')).toEqual([]);
  } finally {
    await site.close();
    await townB.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a deployment off the root takes over its tickets, draft and contact from before the upgrade, and "clear my data" there clears its own of them only', async ({ page, receiver }) => {
  const townB = await startReceiver();
  const { site, root, communities } = await twoTowns(receiver, townB);
  const ticket = (n, endpoint, community) => [`ticket:id-${n}`, JSON.stringify({
    ticket: `XJ-20261130-00${n}`, id: `id-${n}`, created_at: '2026-11-30T10:00:00+08:00', category: 'ebike_in_stairwell',
    community, excerpt: `升级前的工单 ${n}`, status: 'received', endpoint,
  })];
  try {
    await page.goto(site.origin + '/a/config.json');
    await seedOlderBuild(page, {
      kv: [ticket(71, receiver.endpoint, communities.one), ticket(72, townB.endpoint, communities.three)],
      local: {
        'xj.draft': JSON.stringify({ category: null, campaign_id: null, community: communities.one, building: '', spot: '', description: '升级前没写完的草稿', photos: [], share_contact: false, name: '', phone: '' }),
        'xj.contact': JSON.stringify({ name: '王阿姨', phone: '13800138000' }),
      },
    });
    await page.goto(site.origin + '/a/');
    await ready(page);
    await nav(page, /我的报告/).click();
    await expect(page.getByText('XJ-20261130-0071')).toBeVisible();
    await expect(page.getByText('XJ-20261130-0072')).toHaveCount(0);
    await page.reload();
    await ready(page);
    await nav(page, '我要报告').click();
    await expect(page.getByLabel('情况描述')).toHaveValue('升级前没写完的草稿');
    await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('13800138000');

    page.once('dialog', (dialog) => dialog.accept());
    await nav(page, /我的报告/).click();
    await page.getByRole('button', { name: '清除本机数据' }).click();
    await expect(page.getByText('XJ-20261130-0071')).toHaveCount(0);
    await expect.poll(() => sharedKeys(page, 'kv')).toEqual(['ticket:id-72']);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => /xj\.(draft|contact)/.test(k)))).toEqual([]);

    await page.goto(site.origin + '/b/');
    await ready(page);
    await nav(page, /我的报告/).click();
    await expect(page.getByText('XJ-20261130-0072')).toBeVisible();
  } finally {
    await site.close();
    await townB.close();
    rmSync(root, { recursive: true, force: true });
  }
});
