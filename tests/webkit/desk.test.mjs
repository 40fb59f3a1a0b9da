// The desk's first paint in WebKit: the desk serves the widget with the campaigns it holds
// now, rendered into the static page, so a campaign an admin ended is gone before any wasm
// and in an engine without WebAssembly at all. Needs the desk's release binary
// (target/server/xinjing-desk, or DESK_BIN): scripts/test.sh builds it before this step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Browser, PROFILES, WASM, by, startGatedProxy } from './webkit.mjs';
import { holdGate } from '../../scripts/serve.mjs';
import { DESK_BIN, PASSWORD, startDesk } from '../e2e/desk-server.mjs';
import { shippedFeed } from '../e2e/shared.mjs';

/** Opens a browser for the test, closed when it ends. */
async function browserFor(t, profile) {
  const browser = await Browser.open(profile, `${profile.name} ${t.name}`);
  t.after(() => browser.close());
  return browser;
}

const firstPaint = (browser) => browser.script("return !!document.getElementById('xj-static')");

/** Waits until the page's headings, as rendered, include `shown` and not `notShown`. */
async function campaigns(browser, { shown, notShown }, what) {
  await browser.waitFor(async () => {
    const headings = await browser.headings();
    return headings.includes(shown) && !headings.includes(notShown);
  }, what);
}

test('a campaign ended in the desk is gone from the desk\'s first paint, with and without WebAssembly', async (t) => {
  assert.ok(existsSync(DESK_BIN), `no desk binary at ${DESK_BIN}: cargo build -p xinjing-desk --profile server`);
  const [ended, kept] = shippedFeed().campaigns;
  // The desk is reached through a pass-through that can hold the wasm (WebDriver cannot), as
  // behind its reverse proxy: its public address is the pass-through's.
  const wasm = holdGate(WASM);
  const site = await startGatedProxy(wasm);
  t.after(async () => { wasm.release(); await site.close(); });
  const desk = await startDesk({ widget: true, tag: 'webkit', env: { DESK_PUBLIC_URL: site.origin }, users: [{ name: 'zhang', role: 'admin' }] });
  t.after(() => desk.stop());
  site.to(Number(new URL(desk.origin).port));

  // Without WebAssembly: the engine has none, so the static page is all there is.
  const plain = await browserFor(t, PROFILES.noWasm);
  await plain.visit(`${site.origin}/`);
  assert.equal(await plain.script('return typeof WebAssembly'), 'undefined', 'the engine has no WebAssembly');
  const both = await plain.headings();
  assert.ok(both.includes(ended.title.zh) && both.includes(kept.title.zh), `both campaigns before one is ended (headings: ${both})`);

  // An admin ends it in the desk (its staff pages need no script, so this browser will do).
  await plain.visit(`${site.origin}/desk/login`);
  await plain.fill('账号', 'zhang');
  await plain.fill('密码', PASSWORD);
  await plain.pressButton('登录');
  await plain.see(by.heading('问题清单'), 'the desk after logging in');
  await plain.visit(`${site.origin}/desk/campaigns?lang=en`);
  await plain.pressButton(`End ${ended.title.en}`);
  await plain.see(`//tr[.//*[contains(., ${JSON.stringify(ended.id)})]][contains(normalize-space(.), 'Ended')]`, 'the campaign’s row saying “Ended”');

  await plain.visit(`${site.origin}/`);
  await campaigns(plain, { shown: kept.title.zh, notShown: ended.title.zh }, 'the page without WebAssembly to leave the ended campaign out');
  assert.equal(await firstPaint(plain), true, 'still the static page (no app without WebAssembly)');
  await plain.close();

  // With WebAssembly, the wasm held: the first paint already leaves it out; then the app agrees.
  const app = await browserFor(t, PROFILES.wechat);
  await app.visit(`${site.origin}/`);
  await campaigns(app, { shown: kept.title.zh, notShown: ended.title.zh }, 'the first paint to leave the ended campaign out');
  assert.equal(await firstPaint(app), true, 'the first paint, before the app');
  wasm.release();
  await app.waitFor(() => wasm.asked.length > 0, 'the page to ask for the wasm');
  await app.ready();
  await campaigns(app, { shown: kept.title.zh, notShown: ended.title.zh }, 'the app to leave the ended campaign out');
});
