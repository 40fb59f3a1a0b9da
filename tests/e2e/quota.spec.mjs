// A phone whose storage is nearly full: a report with three photos fits, a second copy of
// it does not. Claiming it for an attempt and keeping the attempt's result must then still
// work, so a lease or a retry time never rewrites the photos (Chromium's quota override).
import { test, expect, ready, fillReport } from './fixtures.mjs';
import { seedOlderBuild, sharedRecords } from './older-build.mjs';

test.use({ serviceWorkers: 'block' }); // the app's cached files would count against the quota

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

/** A w×h picture of noise as a JPEG: it stays near the app's 400 KB limit once re-encoded. */
async function noisyPhoto(page, [w, h], seed) {
  const base64 = await page.evaluate(([w, h, seed]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    const pixels = ctx.createImageData(w, h);
    let x = seed;
    for (let i = 0; i < pixels.data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      pixels.data[i] = i % 4 === 3 ? 255 : x >>> 24;
    }
    ctx.putImageData(pixels, 0, 0);
    return canvas.toDataURL('image/jpeg', 0.92).split(',')[1];
  }, [w, h, seed]);
  return Buffer.from(base64, 'base64');
}

/** The bytes of the widget's records as IndexedDB keeps them: text with a character past
 * Latin-1 (Chinese) takes two bytes a character, other text one. */
function storedBytes(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const request = indexedDB.open('xinjing-safety');
    request.onsuccess = () => {
      const db = request.result;
      const names = [...db.objectStoreNames];
      let total = 0;
      const tx = db.transaction(names);
      for (const name of names) {
        const cursor = tx.objectStore(name).openCursor();
        cursor.onsuccess = () => { const c = cursor.result; if (c) { const v = String(c.value); total += v.length * (/[^\u0000-\u00ff]/.test(v) ? 2 : 1); c.continue(); } };
      }
      tx.oncomplete = () => { db.close(); resolve(total); };
      tx.onerror = () => reject(tx.error);
    };
    request.onerror = () => reject(request.error);
  }));
}

/** Opens the widget at `url` and queues a report with three photos while its endpoint is out
 * of reach. Returns the origin's usage before it and the report's size as stored. */
async function queuePhotoReport(page, url) {
  await page.goto(url);
  await ready(page);
  const usage = () => page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const before = await usage();
  await nav(page, '我要报告').click();
  await fillReport(page, { description: '三张照片的报告，手机存储快满了' });
  for (const n of [1, 2, 3]) {
    await page.getByLabel(`添加照片 ${n}`).setInputFiles({ name: `p${n}.jpg`, mimeType: 'image/jpeg', buffer: await noisyPhoto(page, [1600, 1200], n) });
    await expect(page.getByRole('img', { name: `照片 ${n}` })).toBeVisible({ timeout: 20_000 });
  }
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  return { before, report: await storedBytes(page) };
}

test('under a quota that fits a photo report but not a second copy, it is still claimed and sent', async ({ page, context, serve, receiver }) => {
  test.setTimeout(120_000);
  const config = { endpoint: receiver.endpoint };
  // The endpoint is out of reach at first: reports wait on the phone.
  const down = (u) => u.origin === receiver.origin;
  await context.route(down, (route) => route.abort('internetdisconnected'));

  // A trial on another origin (its own storage) measures the report as stored.
  const trial = await context.newPage();
  const { before, report } = await queuePhotoReport(trial, await serve({ config }));
  await trial.close();
  expect(report).toBeGreaterThan(2_000_000);

  // The quota is set before the app's first write (Chromium caches what is left for 30 s):
  // what the app keeps at start, the report, and half a report more.
  const url = await serve({ config });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: before + Math.round(report * 1.5) });
  await queuePhotoReport(page, url);

  await context.unroute(down);
  await nav(page, /我的报告/).click();
  await page.getByRole('button', { name: '立即发送' }).click();
  await expect(page.getByText(/XJ-\d{8}-0001/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { name: '尚未发送' })).toHaveCount(0);
  expect(receiver.reports()).toHaveLength(1);
  expect(receiver.reports()[0].body.photos).toHaveLength(3);
});

test('a photo report the older build kept is not lost when the disk has no room to move it, and is tried again', async ({ page, context, serve, receiver }) => {
  test.setTimeout(120_000);
  const config = { endpoint: receiver.endpoint };
  const down = (u) => u.origin === receiver.origin;
  await context.route(down, (route) => route.abort('internetdisconnected'));
  // A real photo report, measured on another origin, turned into what the older build keeps:
  // one record with the body inline.
  const trial = await context.newPage();
  const { before, report } = await queuePhotoReport(trial, await serve({ config }));
  const [id, body] = await trial.evaluate(() => new Promise((done, fail) => {
    const open = indexedDB.open('xinjing-safety');
    open.onsuccess = () => {
      const all = open.result.transaction('bodies').objectStore('bodies').openCursor();
      all.onsuccess = () => { done([String(all.result.key), String(all.result.value)]); open.result.close(); };
      all.onerror = () => fail(all.error);
    };
  }));
  await trial.close();
  const older = [id, JSON.stringify({ id, body, queued_at_ms: Date.now() - 60_000, attempts: 1, next_attempt_ms: 0, endpoint: receiver.endpoint })];

  // Room for the app, the older record and most of a copy more: moving it does not fit.
  // Chromium now and then refuses the older record's own write under a fresh override
  // (QuotaExceededError with room to spare); a new origin is then set up, at most thrice.
  const cdp = await context.newCDPSession(page);
  let url;
  for (let tries = 3; ; tries--) {
    url = await serve({ config });
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: before + Math.round(report * 1.8) });
    await page.goto(url + 'config.json');
    const error = await seedOlderBuild(page, { outbox: [older] }).then(() => null, (e) => e);
    if (!error) break;
    if (tries === 1 || !/QuotaExceeded/.test(String(error))) throw error;
  }
  const refused = () => page.waitForEvent('console', { predicate: (m) => /taking over an older report/.test(m.text()), timeout: 30_000 });
  let failed = refused();
  await page.goto(url);
  await ready(page);
  await failed;
  const kept = async () => (await sharedRecords(page, 'outbox')).map(([k, v]) => [k, JSON.parse(v).body.length]);
  expect(await kept()).toEqual([[id, body.length]]);
  expect(await sharedRecords(page, 'reports')).toEqual([]);
  // The next pass tries again, and the record is still whole.
  failed = refused();
  await page.reload();
  await ready(page);
  await failed;
  expect(await kept()).toEqual([[id, body.length]]);
});
