// The resident's core flows in WebKit (the engine family of iOS WeChat), against the real
// reference receiver, under the strict Content-Security-Policy. Run by tests/webkit/run.sh.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, PROFILES, by, startScene } from './webkit.mjs';
import { drawPhoto, withGps, jpegSegments, jpegSize, shippedConfig, shippedFeed, shanghaiDay } from '../e2e/shared.mjs';

const DESCRIPTION = '3 楼楼道停着一辆电动车在充电';

/** Starts a scene and a browser for one test; both are stopped when the test ends. */
async function open(t, profile, options) {
  const scene = await startScene(options);
  let browser;
  try {
    browser = await Browser.open(profile, `${profile.name} ${t.name}`);
  } catch (error) {
    await scene.close();
    throw error;
  }
  t.after(async () => { await browser.close(); await scene.close(); });
  return { scene, browser };
}

/** Nothing the page recorded: no CSP violation, no uncaught error. */
async function assertQuietPage(browser) {
  assert.deepEqual(await browser.events(), [], 'CSP violations or uncaught errors on the page');
}

/** Fills the form with a valid anonymous report, as a resident would (Chinese UI). */
async function fillReport(browser, { description = DESCRIPTION } = {}) {
  await browser.see(by.heading('报告安全隐患'), 'the form');
  await browser.choose('隐患类型', '电动车进楼道、进电梯');
  await browser.chooseNth('居民区', 1);
  await browser.fill('楼号 / 单元', '2号楼1单元');
  await browser.fill('情况描述', description);
}

// A 12-megapixel photo taken upright (stored 4000×3000, EXIF orientation 6) with a GPS
// position, drawn once by WebKit itself and kept in a temporary file for the file inputs.
let photoFile;
async function gpsPhoto(browser) {
  if (!photoFile) {
    const base64 = await browser.script(`return (${drawPhoto})(arguments[0]);`, [4000, 3000]);
    const photo = withGps(Buffer.from(base64, 'base64'), 6);
    assert.ok(jpegSegments(photo).includes(0xe1), 'the test photo carries EXIF');
    photoFile = join(mkdtempSync(join(tmpdir(), 'xj-webkit-')), 'IMG_0001.jpg');
    writeFileSync(photoFile, photo);
  }
  return photoFile;
}

function feedWithDates() {
  const feed = shippedFeed();
  const [first, second, ...rest] = feed.campaigns;
  first.start = shanghaiDay(-10); first.end = shanghaiDay(0);    // ends today: shown
  second.start = shanghaiDay(-30); second.end = shanghaiDay(-1); // ended yesterday: hidden
  feed.campaigns = [first, second, ...rest];
  return { feed, shown: first, expired: second };
}

const htmlLang = (browser) => browser.script('return document.documentElement.lang');

/** The photo flow, shared by every profile: which way the photo was prepared is checked. */
async function reportWithPhoto(t, profile) {
  const { scene, browser } = await open(t, profile);
  await browser.go(scene.url);
  const photo = await gpsPhoto(browser);
  await browser.openTab('我要报告');
  await fillReport(browser);
  await browser.fill('楼层或具体位置', '3楼楼道');
  await browser.attach('添加照片 1', photo);
  const preview = await browser.see(by.image('照片 1'), 'the photo preview', 30_000);
  assert.deepEqual(await browser.script('return [arguments[0].naturalWidth, arguments[0].naturalHeight]', preview), [1200, 1600],
    'the preview is the photo turned upright, long edge 1600');
  await browser.check('我同意把称呼和手机号提供给');
  await browser.fill('称呼（选填）', '王阿姨');
  await browser.fill('手机号', '139 1234 5678');
  await browser.pressButton('提交报告');
  await browser.see(by.heading('已受理'), 'the “received” screen', 20_000);

  const reports = scene.receiver.reports();
  assert.equal(reports.length, 1);
  const [report] = reports;
  await browser.seeText(report.ticket);
  assert.match(report.ticket, /^XJ-\d{8}-0001$/);
  assert.deepEqual(report.body.location, { community: shippedConfig().communities[0], building: '2号楼1单元', detail: '3楼楼道' });
  assert.equal(report.body.description, DESCRIPTION);
  assert.deepEqual(report.body.contact, { name: '王阿姨', phone: '13912345678' });
  assert.equal(report.body.photos.length, 1);
  const [sent] = report.body.photos;
  const bytes = Buffer.from(sent.data, 'base64');
  assert.equal(sent.mime, 'image/jpeg');
  assert.deepEqual(bytes.subarray(0, 2), Buffer.from([0xff, 0xd8]), 'a JPEG');
  assert.ok(!jpegSegments(bytes).includes(0xe1), 'no EXIF/APP1 segment');
  assert.ok(!bytes.includes(Buffer.from('Exif')), 'no EXIF anywhere');
  assert.ok(bytes.length <= 400 * 1024, `≤ 400 KB (got ${bytes.length})`);
  assert.deepEqual(jpegSize(bytes), [sent.width, sent.height], 'the JPEG is the size it says');
  assert.deepEqual([sent.width, sent.height], [1200, 1600], 'turned upright, long edge 1600');

  // Which way the photo was prepared: the worker exists only where the engine can run it.
  // The worker is named by its content (photo-worker-<hash>.js), like every other JS file.
  const askedForWorker = scene.requested.some((path) => /^\/photo-worker-[0-9a-f]{16}\.js$/.test(path));
  assert.equal(askedForWorker, profile.photoWorker !== false,
    `the photo worker ${askedForWorker ? 'was' : 'was not'} requested (${profile.about})`);
  await assertQuietPage(browser);
  return { scene, browser };
}

for (const profile of [PROFILES.webkit, PROFILES.wechat]) {
  describe(`${profile.name}: ${profile.about}`, () => {
    test('campaigns are readable in Chinese and, after the language switch, in English', async (t) => {
      const { feed, shown, expired } = feedWithDates();
      const { scene, browser } = await open(t, profile, { feed });
      // The page really is served under the strict policy the README prescribes.
      const answer = await fetch(scene.url);
      assert.equal(answer.headers.get('content-security-policy'), scene.headers['Content-Security-Policy']);

      await browser.go(scene.url);
      // The engine is set up as the profile says (WebKit's own switches, no script).
      assert.deepEqual(await browser.script("return { serviceWorker: 'serviceWorker' in navigator, offscreenCanvas: typeof OffscreenCanvas === 'function', webLocks: !!navigator.locks }"),
        { serviceWorker: profile.serviceWorker, offscreenCanvas: profile.offscreenCanvas, webLocks: profile.webLocks });
      await browser.see(by.heading('当前安全整治'));
      await browser.see(by.heading(shown.title.zh));
      await browser.gone(by.heading(expired.title.zh), 'the ended campaign (shown by the bundled feed until the served one arrives)');
      assert.equal(await htmlLang(browser), 'zh-CN');
      for (const call of ['火警 119', '报警 110', '热线 12345']) await browser.see(by.link(call));

      await browser.pressButton('Switch to English');
      await browser.see(by.heading('What the town asks now'));
      await browser.see(by.heading(shown.title.en));
      assert.equal(await htmlLang(browser), 'en');
      await browser.reload();
      await browser.see(by.heading(shown.title.en), 'English, remembered after a reload');

      await browser.pressButton('切换到中文');
      await browser.see(by.heading('当前安全整治'));
      await browser.click(`(//li[.//*[normalize-space(.)='${shown.title.zh}']]//button[normalize-space(.)='查看详情'])[1]`, 'its “read more”');
      await browser.see(by.heading('为什么'));
      await browser.pressButton('报告此类隐患');
      await browser.see(by.heading('报告安全隐患'));
      assert.equal(await browser.valueOf('隐患类型'), shown.categories[0]);
      await assertQuietPage(browser);

      // The watcher does hear WebKit's violations: an image from a host the policy does not
      // allow is reported (then the record is cleared).
      await browser.script("const img = new Image(); img.src = 'http://127.0.0.1:9/not-allowed.png'; document.body.append(img);");
      await browser.waitFor(async () => (await browser.events()).some((e) => e.startsWith('csp: img-src')), 'the test violation to be recorded');
      await browser.script("sessionStorage.removeItem('webkit-watch')");
    });

    test('a report with a GPS-tagged 12 MP photo arrives as a 1600 px JPEG without EXIF; the ticket is shown', (t) =>
      reportWithPhoto(t, profile));

    test('offline, then a reload, then back online: the report waits in IndexedDB and arrives exactly once', async (t) => {
      const { scene, browser } = await open(t, profile);
      await browser.go(scene.url);
      const hasServiceWorker = await browser.script("return 'serviceWorker' in navigator");
      assert.equal(hasServiceWorker, profile.serviceWorker);
      if (profile.serviceWorker) {
        // With a service worker, the whole network goes: the page itself reopens from it.
        await browser.driver.executeAsyncScript('const done = arguments[arguments.length - 1]; navigator.serviceWorker.ready.then(() => done(true), (e) => done(String(e)));');
        await browser.reload();
        await browser.waitFor(() => browser.script('return !!navigator.serviceWorker.controller'), 'the service worker to control the page');
        await scene.offline();
      } else {
        // Without one (iOS WeChat), a page cannot reopen with no network at all; what a
        // resident meets is the endpoint out of reach (weak signal) while the page loads.
        assert.ok(!scene.requested.includes('/sw.js'), 'no service worker was registered');
        await scene.endpointOffline();
      }
      await browser.openTab('我要报告');
      await fillReport(browser);
      await browser.pressButton('提交报告');
      await browser.see(by.heading('已保存在本机，尚未发送'), 'the “saved, not sent” screen', 15_000);
      await browser.waitFor(async () => (await (await browser.see(by.tab('我的报告'))).getText()).includes('1'), 'the waiting badge to count 1');

      await browser.reload();
      if (profile.serviceWorker) await assert.rejects(fetch(scene.url), 'the page’s server is really off the network');
      await browser.openTab('我的报告');
      await browser.see(by.heading('尚未发送'));
      await browser.seeText(DESCRIPTION);
      assert.equal(scene.receiver.state.attempts.length, 0, 'nothing reached the receiver while offline');

      await (profile.serviceWorker ? scene.online() : scene.endpointOnline());
      // No "online" event comes in WebKitGTK: the outbox's own retry timer sends it.
      await browser.gone(by.heading('尚未发送'), 'the “not sent yet” list', 30_000);
      await browser.waitFor(async () => /XJ-\d{8}-0001/.test(await browser.text()), 'the ticket in “my reports”');
      await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
      assert.equal(scene.receiver.reports().length, 1, 'exactly one copy');
      const keys = new Set(scene.receiver.state.attempts.map((a) => a.key));
      assert.equal(keys.size, 1, 'every attempt under the same key');
      assert.equal(scene.receiver.reports()[0].body.description, DESCRIPTION);
      await assertQuietPage(browser);
    });

    test('“my reports” shows the status changes made at the receiver, and feedback reaches it (English)', async (t) => {
      const { scene, browser } = await open(t, profile);
      await browser.go(scene.url);
      await browser.openTab('我要报告');
      await fillReport(browser);
      await browser.pressButton('提交报告');
      await browser.see(by.heading('已受理'), 'the “received” screen', 20_000);
      const { ticket } = scene.receiver.reports()[0];
      scene.receiver.setStatus(ticket, 'in_progress');

      await browser.pressButton('Switch to English');
      await browser.openTab('My reports');
      await browser.seeText(ticket);
      await browser.pressButton('Refresh status');
      await browser.seeText('Being handled');
      scene.receiver.setStatus(ticket, 'resolved', '电动车已移走');
      await browser.pressButton('Refresh status');
      await browser.seeText('Resolved');
      await browser.seeText('电动车已移走');
      await browser.click(`//fieldset[legend[normalize-space(.)='Were you satisfied with how it was handled?']]${by.button('Satisfied')}`, 'the “Satisfied” answer');
      await browser.seeText('Thank you for your feedback: Satisfied');
      assert.deepEqual(scene.receiver.reports()[0].feedback, { satisfied: true, comment: undefined });
      await assertQuietPage(browser);
    });
  });
}

describe('WebKit with OffscreenCanvas on the page but not in workers', () => {
  const halfway = {
    ...PROFILES.webkit,
    name: 'WebKit, no OffscreenCanvas in workers',
    about: 'the page has OffscreenCanvas, workers do not: the photo worker is tried, then the page prepares the photo',
    features: ['-OffscreenCanvasInWorkers'],
  };
  test('a GPS-tagged 12 MP photo is still prepared (on the page) and arrives without EXIF', (t) => reportWithPhoto(t, halfway));
});
