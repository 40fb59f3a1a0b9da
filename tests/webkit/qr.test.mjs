// Scan, type, send in WebKit: a QR link shows the static page's report form before the app
// (wasm) has arrived; what the resident types, chooses and ticks there is the app's when it
// takes over, and "send" pressed before that goes once, through the app; if the app cannot
// load, the words stay. The wasm is held at the page's own server (WebDriver cannot hold a
// response), then released or refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { By } from 'selenium-webdriver';
import { Browser, PROFILES, by, startScene } from './webkit.mjs';
import { shippedConfig } from '../e2e/shared.mjs';

const TEXT = {
  zh: {
    query: '', category: '隐患类型', hazard: '飞线充电', area: '居民区', building: '楼号 / 单元', spot: '楼层或具体位置',
    description: '情况描述', consent: '我同意把称呼和手机号提供给', name: '称呼（选填）', phone: '手机号',
    send: '提交报告', preparing: '正在准备提交', failed: '报告表单未能打开', photo: '添加照片 1（准备中…）', addPhoto: '添加照片 1', received: '已受理',
    saying: '4 楼楼道有人飞线给电动车充电',
  },
  en: {
    query: '&lang=en', category: 'Type of hazard', hazard: '“Flying-line” charging (cable run out to charge)',
    area: 'Residential area', building: 'Building / entrance', spot: 'Floor or exact spot', description: 'What did you see?',
    consent: 'I agree to give my name', name: 'Name (optional)', phone: 'Mobile number', send: 'Send report',
    preparing: 'Preparing to send', failed: 'The report form could not open', photo: 'Add photo 1 (getting ready…)', addPhoto: 'Add photo 1', received: 'Received',
    saying: 'Someone charges an e-bike by a cable from the 4th floor',
  },
};

const community = () => shippedConfig().communities[1];
const qrLink = (url, lang) => `${url}?community=${encodeURIComponent(community())}&building=${encodeURIComponent('5号楼')}${TEXT[lang].query}`;

/** A scene whose wasm waits at the server, and a browser; both stopped when the test ends. */
async function open(t, profile) {
  const scene = await startScene({ holdWasm: true });
  let browser;
  try {
    browser = await Browser.open(profile, `${profile.name} ${t.name}`);
  } catch (error) {
    await scene.close();
    throw error;
  }
  t.after(async () => { scene.wasm.release(); await browser.close(); await scene.close(); });
  return { scene, browser };
}

/** The static form with the link's place in it, while the wasm is still on its way. */
async function staticForm(browser, scene, tx) {
  await browser.waitFor(() => scene.wasm.asked.length > 0, 'the page to ask for the wasm');
  assert.equal(await browser.valueOf(tx.area), community());
  assert.equal(await browser.valueOf(tx.building), '5号楼');
  const picker = await browser.see(by.button(tx.photo), 'the photo picker saying it is getting ready');
  assert.equal(await picker.isEnabled(), false, 'the photo picker waits for the app');
  assert.equal(await browser.script("return !!document.getElementById('xj-static') && !document.querySelector('#xj-app form')"), true,
    'the form is the static page’s: the app has not mounted');
}

/** Everything a resident fills in, through the labels they read. */
async function fillAll(browser, tx) {
  await browser.choose(tx.category, tx.hazard);
  await browser.fill(tx.spot, '4楼楼道');
  await browser.fill(tx.description, tx.saying);
  await browser.check(tx.consent);
  await browser.fill(tx.name, '王女士');
  await browser.fill(tx.phone, '13912345678');
}

/** The shown option of a list, as the resident reads it. */
async function chosen(browser, label) {
  const select = await browser.see(by.label(label), `list “${label}”`);
  return browser.script('const s = arguments[0]; return s.selectedIndex < 0 ? null : s.options[s.selectedIndex].text.trim();', select);
}

async function typedBeforeTheApp(t, profile, lang) {
  const tx = TEXT[lang];
  const { scene, browser } = await open(t, profile);
  await browser.visit(qrLink(scene.url, lang));
  await staticForm(browser, scene, tx);
  await fillAll(browser, tx);
  // The resident is in the middle of the description, the caret after its 6th character.
  const field = await browser.see(by.label(tx.description));
  await browser.script('arguments[0].focus(); arguments[0].setSelectionRange(6, 6);', field);
  assert.equal(await browser.script("return !!document.getElementById('xj-static')"), true, 'still the static page');

  scene.wasm.release();
  await browser.ready();
  // The app's own fields hold everything.
  assert.equal(await chosen(browser, tx.category), tx.hazard);
  assert.equal(await browser.valueOf(tx.area), community());
  assert.equal(await browser.valueOf(tx.building), '5号楼');
  assert.equal(await browser.valueOf(tx.spot), '4楼楼道');
  assert.equal(await browser.valueOf(tx.description), tx.saying);
  assert.equal(await (await browser.see(by.checkbox(tx.consent), 'the consent box')).isSelected(), true, 'the consent box is still ticked');
  assert.equal(await browser.valueOf(tx.name), '王女士');
  assert.equal(await browser.valueOf(tx.phone), '13912345678');
  const description = await browser.see(by.label(tx.description));
  assert.deepEqual(await browser.script('const el = arguments[0]; return [document.activeElement === el, el.selectionStart, el.selectionEnd];', description),
    [true, 6, 6], 'the focus and the caret stayed where they were');
  // The photo picker is the app's now.
  // (Its file input is drawn as a button by its label, so it is found, not "shown".)
  const [picker] = await browser.driver.findElements(By.xpath(by.label(tx.addPhoto)));
  assert.ok(picker && await picker.isEnabled(), `an enabled file input labelled “${tx.addPhoto}”`);
  // Typing goes on where it was.
  await browser.driver.actions().sendKeys('!').perform();
  assert.equal(await browser.valueOf(tx.description), tx.saying.slice(0, 6) + '!' + tx.saying.slice(6));
  assert.deepEqual(await browser.events(), [], 'CSP violations or uncaught errors on the page');
}

/** A QR link, the static form filled in and "send" pressed while the wasm is held. */
async function sendBeforeTheApp(t, profile, lang) {
  const tx = TEXT[lang];
  const { scene, browser } = await open(t, profile);
  await browser.visit(qrLink(scene.url, lang));
  await staticForm(browser, scene, tx);
  await fillAll(browser, tx);
  await browser.pressButton(tx.send);
  await browser.seeText(tx.preparing);
  return { tx, scene, browser };
}

async function sentBeforeTheApp(t, profile, lang) {
  const { tx, scene, browser } = await sendBeforeTheApp(t, profile, lang);
  assert.equal(await browser.valueOf(tx.description), tx.saying, 'everything is kept');
  // Pressed again while waiting: still one report.
  await browser.pressButton(tx.send);
  assert.equal(scene.receiver.state.attempts.length, 0, 'nothing is sent before the app is there');

  scene.wasm.release();
  await browser.see(by.heading(tx.received), 'the “received” screen', 30_000);
  await browser.waitFor(async () => /XJ-\d{8}-\d{4}/.test(await browser.text()), 'the ticket');
  const reports = scene.receiver.reports();
  assert.equal(reports.length, 1, 'exactly one report');
  assert.equal(new Set(scene.receiver.state.attempts.map((a) => a.key)).size, 1, 'every attempt under the same key');
  const [report] = reports;
  assert.equal(report.body.description, tx.saying);
  assert.equal(report.body.category, 'flying_line_charging');
  assert.deepEqual(report.body.location, { community: community(), building: '5号楼', detail: '4楼楼道' });
  assert.deepEqual(report.body.contact, { name: '王女士', phone: '13912345678' });
  assert.deepEqual(await browser.events(), [], 'CSP violations or uncaught errors on the page');
}

/** The wasm cannot be had (no signal on a first visit): the words stay, and "send" later goes once. */
async function appCannotLoad(t, profile, lang) {
  const { tx, scene, browser } = await sendBeforeTheApp(t, profile, lang);
  scene.wasm.refuse();
  await browser.see(`//*[@role='alert'][contains(normalize-space(.), ${JSON.stringify(tx.failed)})]`, 'the message that the form could not open');
  await browser.waitFor(async () => !(await browser.text()).includes(tx.preparing), 'the “preparing” note to go');
  assert.equal(await browser.valueOf(tx.description), tx.saying, 'the words stay on the page');
  assert.equal(await browser.valueOf(tx.phone), '13912345678');
  assert.equal(scene.receiver.state.attempts.length, 0, 'nothing was sent');

  // The signal is back: "send" again.
  scene.wasm.release();
  await browser.pressButton(tx.send);
  await browser.see(by.heading(tx.received), 'the “received” screen', 30_000);
  assert.equal(scene.receiver.reports().length, 1, 'exactly one report');
  assert.equal(scene.receiver.reports()[0].body.description, tx.saying);
}

// iOS WeChat is where a poster's QR code is scanned: both flows in both languages there; in
// WebKit as it ships, each flow once, one language each.
describe(`${PROFILES.wechat.name}: ${PROFILES.wechat.about}`, () => {
  for (const lang of ['zh', 'en']) {
    test(`a QR link shows the form before the wasm; what is typed, chosen and ticked stays when the app takes over (${lang})`,
      (t) => typedBeforeTheApp(t, PROFILES.wechat, lang));
    test(`"send" before the app is ready says so, and exactly one report arrives (${lang})`,
      (t) => sentBeforeTheApp(t, PROFILES.wechat, lang));
  }
  test('the app cannot load: the words stay with a clear message, and a later "send" goes once (zh)',
    (t) => appCannotLoad(t, PROFILES.wechat, 'zh'));
});

describe(`${PROFILES.webkit.name}: ${PROFILES.webkit.about}`, () => {
  test('a QR link shows the form before the wasm; what is typed, chosen and ticked stays when the app takes over (en)',
    (t) => typedBeforeTheApp(t, PROFILES.webkit, 'en'));
  test('"send" before the app is ready says so, and exactly one report arrives (zh)',
    (t) => sentBeforeTheApp(t, PROFILES.webkit, 'zh'));
});
