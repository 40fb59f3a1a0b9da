// The upgrade at a site's root, beside tabs of the build phones run today: that build keeps
// its waiting reports, body inline, in the 'outbox' store; this one keeps its own apart,
// where the older build never reads them, and takes the older build's over.
import { test, expect, ready, fillReport } from './fixtures.mjs';
import { seedOlderBuild, sharedKeys, olderRecord } from './older-build.mjs';
import { startReceiver } from './receiver.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

test('a report the older build kept is sent once by the new build, and the new build\'s reports are not in the older build\'s store', async ({ page, serve, receiver }) => {
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(url);
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '用来做模板的报告' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const template = receiver.reports()[0].body;

  const id = '5a0c2d9e-1b7f-4c3a-9e8d-2f6b4a1c7e90';
  await seedOlderBuild(page, { outbox: [olderRecord(template, id, '旧版本保存、还没发出的报告', { endpoint: receiver.endpoint })] });
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/XJ-\d{8}-0002/)).toBeVisible();
  expect(receiver.state.attempts.filter((a) => a.key === id)).toHaveLength(1);
  // Gone from the older build's store in the same transaction that took it.
  expect(await sharedKeys(page, 'outbox')).toEqual([]);
  await page.reload();
  await ready(page);
  await nav(page, /我的报告/).click();
  await expect(page.getByText(/XJ-\d{8}-0002/)).toBeVisible();
  expect(receiver.state.attempts.filter((a) => a.key === id)).toHaveLength(1);

  // A report this build queues while the endpoint is out of reach: kept where an older
  // tab never reads it (it would send an empty body and the report would be refused).
  const down = (u) => u.origin === receiver.origin;
  await page.context().route(down, (route) => route.abort('internetdisconnected'));
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '新版本保存的报告' });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  expect(await sharedKeys(page, 'reports')).toHaveLength(1);
  expect(await sharedKeys(page, 'bodies')).toHaveLength(1);
  expect(await sharedKeys(page, 'outbox')).toEqual([]);
  await page.context().unroute(down);
});

test('a report body whose waiting record is gone is swept', async ({ page, serve, receiver }) => {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  // What a tab closed between two steps of a move could leave: a body and no record.
  await page.evaluate(() => new Promise((done, fail) => {
    const open = indexedDB.open('xinjing-safety');
    open.onsuccess = () => {
      const tx = open.result.transaction('bodies', 'readwrite');
      tx.objectStore('bodies').put('{"id":"orphan"}', 'orphan');
      tx.oncomplete = () => { open.result.close(); done(); };
      tx.onerror = () => fail(tx.error);
    };
  }));
  // A pass may already have swept it: both orders end with no body left.
  await page.reload();
  await ready(page);
  await expect.poll(() => sharedKeys(page, 'bodies')).toEqual([]);
});

test('"clear my data" at the root clears the older build\'s records of this deployment, and leaves another deployment\'s', async ({ page, serve, receiver }) => {
  const url = await serve({ config: { endpoint: receiver.endpoint } });
  await page.goto(url);
  await ready(page);
  const townB = await startReceiver();
  try {
    const elsewhere = townB.endpoint;
    const ticket = (n, endpoint) => [`ticket:id-${n}`, JSON.stringify({
      ticket: `XJ-20261130-00${n}`, id: `id-${n}`, created_at: '2026-11-30T10:00:00+08:00', category: 'ebike_in_stairwell',
      community: '示例一村（演示）', excerpt: `升级前的工单 ${n}`, status: 'received', endpoint,
    })];
    // Tickets of this deployment and of another one on the site.
    await seedOlderBuild(page, { kv: [ticket(81, receiver.endpoint), ticket(82, elsewhere)] });
    await page.reload();
    await ready(page);
    await page.getByRole('navigation').getByRole('button', { name: /我的报告/ }).click();
    await expect(page.getByText('XJ-20261130-0081')).toBeVisible();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: '清除本机数据' }).click();
    await expect(page.getByText('XJ-20261130-0081')).toHaveCount(0);
    await expect.poll(() => sharedKeys(page, 'kv')).toEqual(['ticket:id-82']);
    expect(townB.state.attempts).toEqual([]);
  } finally {
    await townB.close();
  }
});

test('a report the older build queued for another endpoint is sent there once from the root, never to the root\'s own', async ({ page, serve, receiver }) => {
  const townB = await startReceiver();
  try {
    await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
    await ready(page);
    await nav(page, '我要报告').click();
    await fillReport(page, { description: '用来做模板的报告' });
    await page.getByRole('button', { name: '提交报告' }).click();
    await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
    const template = receiver.reports()[0].body;

    // Queued by an older tab while the site's endpoint was another one (a trailing slash
    // is enough for that): it went to that endpoint then, and must still.
    const id = '5a0c2d9e-1b7f-4c3a-9e8d-2f6b4a1c7e91';
    await seedOlderBuild(page, { outbox: [olderRecord(template, id, '换接收端之前保存的报告', { endpoint: townB.endpoint })] });
    await page.reload();
    await ready(page);
    await expect.poll(() => townB.reports().map((r) => r.key)).toEqual([id]);
    await expect.poll(() => sharedKeys(page, 'outbox')).toEqual([]);
    await page.reload();
    await ready(page);
    await expect.poll(() => sharedKeys(page, 'reports')).toEqual([]);
    expect(townB.state.attempts.map((a) => a.key)).toEqual([id]);
    expect(receiver.state.attempts.filter((a) => a.key === id)).toEqual([]);
  } finally {
    await townB.close();
  }
});
