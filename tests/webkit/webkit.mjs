// The WebKit suite's harness: WebKitGTK's MiniBrowser through WebKitWebDriver (started by
// tests/webkit/run.sh), the release build served under the strict CSP, the reference
// receiver, and a switch that takes them off the network. Elements are found as a person
// finds them: a field by its label's text, a button or heading by its visible name.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect } from 'node:net';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { WebDriver, Capabilities, By } from 'selenium-webdriver';
import * as http from 'selenium-webdriver/http/index.js';
import { startStatic, securityHeaders, holdGate } from '../../scripts/serve.mjs';
import { startReceiver } from '../e2e/receiver.mjs';
import { DIST, shippedConfig } from '../e2e/shared.mjs';

const IOS_WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 15_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

/**
 * Engine set-ups. WebKit's own feature switches (MiniBrowser --features) take out what the
 * WebViews we care about lack, so the engine itself, not a script, is what is missing it.
 */
export const PROFILES = {
  webkit: {
    name: 'WebKit',
    about: 'WebKitGTK as it ships, like current Safari: service worker, OffscreenCanvas (workers too), Web Locks',
    features: [],
    serviceWorker: true,
    offscreenCanvas: true,
    webLocks: true,
    photoWorker: true,
  },
  wechat: {
    name: 'WebKit as iOS WeChat',
    about: 'no service worker (WeChat’s WKWebView has none) and, as on the oldest supported iOS (15.0–15.3), no OffscreenCanvas and no Web Locks',
    features: ['-ServiceWorkers', '-OffscreenCanvas', '-OffscreenCanvasInWorkers', '-WebLocksAPI'],
    userAgent: IOS_WECHAT_UA,
    serviceWorker: false,
    offscreenCanvas: false,
    webLocks: false,
    photoWorker: false,
  },
  // No --features switch turns WebAssembly off; JavaScriptCore's own option does, in the engine
  // itself (as iOS Lockdown Mode does): `WebAssembly` is simply not there for the page.
  noWasm: {
    name: 'WebKit without WebAssembly',
    about: 'JavaScriptCore with WebAssembly switched off (JSC_useWasm=false), as in iOS Lockdown Mode',
    features: [],
    env: { JSC_useWasm: 'false' },
    serviceWorker: true,
    offscreenCanvas: true,
    webLocks: true,
    photoWorker: true,
  },
};

const RESULTS = 'test-results/webkit';
/** The app's WebAssembly file (the only one named *_bg.wasm). */
export const WASM = /_bg\.wasm$/;

const MINIBROWSER = process.env.WEBKIT_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const launchers = new Map();

/**
 * The browser to start: MiniBrowser itself or, for a profile with `env` (engine options that
 * have no --features switch, such as JavaScriptCore's JSC_* variables), a small script that
 * sets them and starts it: WebKitWebDriver takes a binary and arguments, not an environment.
 */
function browserBinary(env) {
  if (!env) return MINIBROWSER;
  const key = JSON.stringify(env);
  if (!launchers.has(key)) launchers.set(key, launcher(env));
  return launchers.get(key);
}

function launcher(env) {
  const dir = mkdtempSync(join(tmpdir(), 'xj-webkit-browser-'));
  const file = join(dir, 'MiniBrowser');
  const assignments = Object.entries(env).map(([name, value]) => `${name}='${value}'`).join(' ');
  writeFileSync(file, `#!/bin/sh\nexport ${assignments}\nexec '${MINIBROWSER}' "$@"\n`, { mode: 0o755 });
  return file;
}

function driverUrl() {
  const url = process.env.WEBKIT_WEBDRIVER_URL;
  if (!url) throw new Error('WEBKIT_WEBDRIVER_URL is not set: run the suite through tests/webkit/run.sh');
  return url;
}

/** An XPath string literal for any text (XPath 1.0 has no escapes). */
export function lit(text) {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return `concat(${text.split("'").map((part) => `'${part}'`).join(`, "'", `)})`;
}

const CONTROL = '(self::input or self::select or self::textarea)';

/** XPaths for what a person looks for. */
export const by = {
  /** A form control by its label: <label for>, a wrapping <label>, or aria-label. */
  label: (text) => `//*[${CONTROL}][@id = //label[normalize-space(.)=${lit(text)}]/@for]`
    + ` | //label[normalize-space(.)=${lit(text)}]//*[${CONTROL}]`
    + ` | //*[${CONTROL}][normalize-space(@aria-label)=${lit(text)}]`,
  /** A checkbox whose label starts with the text. */
  checkbox: (text) => `//label[starts-with(normalize-space(.), ${lit(text)})]//input[@type='checkbox']`
    + ` | //input[@type='checkbox'][@id = //label[starts-with(normalize-space(.), ${lit(text)})]/@for]`,
  /** A button by its accessible name (aria-label, else its text). */
  button: (name) => `//*[self::button or @role='button'][normalize-space(@aria-label)=${lit(name)}`
    + ` or (not(@aria-label) and normalize-space(.)=${lit(name)})]`,
  /** A tab of the main navigation whose name starts with the text (a count may follow). */
  tab: (name) => `//nav//button[starts-with(normalize-space(.), ${lit(name)})]`,
  heading: (name) => `//*[self::h1 or self::h2 or self::h3 or self::h4 or @role='heading'][normalize-space(.)=${lit(name)}]`,
  link: (name) => `//a[normalize-space(@aria-label)=${lit(name)} or normalize-space(.)=${lit(name)}]`,
  image: (alt) => `//img[normalize-space(@alt)=${lit(alt)}]`,
};

export class Browser {
  constructor(driver, profile, label) {
    this.driver = driver;
    this.profile = profile;
    this.label = label;
  }

  static async open(profile, label, { width = 375, height = 667 } = {}) {
    const args = ['--automation'];
    if (profile.features.length) args.push(`--features=${profile.features.join(',')}`);
    if (profile.userAgent) args.push(`--user-agent=${profile.userAgent}`);
    const capabilities = new Capabilities({
      'webkitgtk:browserOptions': { binary: browserBinary(profile.env), args },
    });
    // A browser that cannot start (no display, say) leaves the session request unanswered.
    let timer;
    const driver = await Promise.race([
      WebDriver.createSession(new http.Executor(new http.HttpClient(driverUrl())), capabilities),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('MiniBrowser did not start within 60 s (see the WebKitWebDriver log below)')), 60_000); }),
    ]).finally(() => clearTimeout(timer));
    const browser = new Browser(driver, profile, label);
    try {
      await driver.manage().window().setRect({ width, height });
    } catch { /* the window keeps its size: layout is not what this suite checks */ }
    return browser;
  }

  async close() {
    await this.driver.quit().catch(() => {});
  }

  script(body, ...args) {
    return this.driver.executeScript(body, ...args);
  }

  async go(url) {
    await this.driver.get(url);
    await this.ready();
  }

  /** Opens `url` without waiting for the app (the static first paint is what is tested). */
  async visit(url) {
    await this.driver.get(url);
  }

  async reload() {
    await this.driver.navigate().refresh();
    await this.ready();
  }

  /** The wasm app has replaced the static first paint. */
  async ready() {
    await this.waitFor(() => this.script("return !document.getElementById('xj-static') && !!document.querySelector('.xj-app nav')"),
      'the app to start', 30_000);
  }

  /** Polls `check` until it returns something truthy; fails with what the page shows. */
  async waitFor(check, what, timeout = 15_000) {
    const until = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const value = await check();
        if (value) return value;
      } catch (error) { last = error; }
      if (Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}\n${await this.evidence()}`);
  }

  /** What the page shows, the page's event log, and a screenshot in test-results/webkit/. */
  async evidence() {
    const lines = [];
    try {
      const text = await this.script('return document.body ? document.body.innerText : ""');
      lines.push(`page text: ${text.replace(/\s+/g, ' ').slice(0, 800)}`);
      lines.push(`page events: ${JSON.stringify(await this.events())}`);
      mkdirSync(RESULTS, { recursive: true });
      const file = `${RESULTS}/${this.label.replace(/[^\w.-]+/g, '-').slice(0, 120)}.png`;
      writeFileSync(file, await this.driver.takeScreenshot(), 'base64');
      lines.push(`screenshot: ${file}`);
    } catch (error) { lines.push(`(no evidence: ${error.message})`); }
    return lines.join('\n');
  }

  /**
   * Runs a WebDriver action on `el`, scrolled into the middle of the view first (as a person
   * scrolls to a field: WebKitGTK's driver does not scroll for clear and send keys); a
   * refusal is reported with what the page showed.
   */
  async act(what, el, action) {
    try {
      await this.script("arguments[0].scrollIntoView({ block: 'center' })", el);
      return await action();
    } catch (error) {
      throw new Error(`${what}: ${error.name} ${error.message}\n${await this.evidence()}`, { cause: error });
    }
  }

  /** Elements matching the XPath that are shown. */
  async shown(xpath) {
    const out = [];
    for (const el of await this.driver.findElements(By.xpath(xpath))) {
      if (await el.isDisplayed().catch(() => false)) out.push(el);
    }
    return out;
  }

  async see(xpath, what = xpath, timeout) {
    const [el] = await this.waitFor(async () => { const els = await this.shown(xpath); return els.length ? els : null; }, `${what} to be shown`, timeout);
    return el;
  }

  async gone(xpath, what = xpath, timeout) {
    await this.waitFor(async () => (await this.shown(xpath)).length === 0, `${what} to go away`, timeout);
  }

  async click(xpath, what) {
    const el = await this.see(xpath, what);
    await this.waitFor(() => el.isEnabled(), `${what ?? xpath} to be enabled`);
    await this.act(`clicking ${what ?? xpath}`, el, () => el.click());
  }

  async pressButton(name) { await this.click(by.button(name), `button “${name}”`); }

  async openTab(name) { await this.click(by.tab(name), `tab “${name}”`); }

  /** Types into the field labelled `label`, replacing what was there. */
  async fill(label, text) {
    const el = await this.see(by.label(label), `field “${label}”`);
    await this.act(`typing into “${label}”`, el, async () => { await el.clear(); await el.sendKeys(text); });
    const value = await el.getAttribute('value');
    if (value !== text) throw new Error(`field “${label}” holds ${JSON.stringify(value)} after typing ${JSON.stringify(text)}`);
  }

  async valueOf(label) {
    return (await this.see(by.label(label), `field “${label}”`)).getAttribute('value');
  }

  /** Picks the option shown as `option` in the list labelled `label`. */
  async choose(label, option) {
    const select = await this.see(by.label(label), `list “${label}”`);
    const [choice] = await select.findElements(By.xpath(`.//option[normalize-space(.)=${lit(option)}]`));
    if (!choice) throw new Error(`list “${label}” has no option “${option}”`);
    await this.act(`choosing “${option}” in “${label}”`, select, () => choice.click());
  }

  /** Picks the n-th real option (1 = the first after the placeholder) of a list. */
  async chooseNth(label, n) {
    const select = await this.see(by.label(label), `list “${label}”`);
    const options = await select.findElements(By.css('option'));
    await this.act(`choosing option ${n} in “${label}”`, select, () => options[n].click());
    return options[n].getText();
  }

  /** A file chosen for the file input labelled `label` (WebDriver send keys with its path). */
  async attach(label, path) {
    const [input] = await this.driver.findElements(By.xpath(by.label(label)));
    if (!input) throw new Error(`no file input labelled “${label}”`);
    await this.act(`choosing a file for “${label}”`, input, () => input.sendKeys(path));
  }

  async check(labelStart) {
    const [box] = await this.driver.findElements(By.xpath(by.checkbox(labelStart)));
    if (!box) throw new Error(`no checkbox labelled “${labelStart}…”`);
    if (!(await box.isSelected())) await this.act(`ticking “${labelStart}…”`, box, () => box.click());
  }

  /**
   * The headings a person reads, as rendered (the static page's bilingual headings hold both
   * languages, one hidden, so an XPath on their text would not match).
   */
  headings() {
    return this.script("return [...document.querySelectorAll('h1, h2, h3, h4, [role=heading]')].map((h) => h.innerText.trim()).filter(Boolean)");
  }

  /** The page's text as a person reads it (rendered text only). */
  text() { return this.script('return document.body.innerText'); }

  async seeText(text, timeout) {
    await this.waitFor(async () => (await this.text()).includes(text), `the text “${text}”`, timeout);
  }

  /** What the page recorded (tests/webkit/watch.js): CSP violations, uncaught errors. */
  async events() {
    return this.script("try { return JSON.parse(sessionStorage.getItem('webkit-watch') || '[]'); } catch (e) { return ['unreadable: ' + e]; }");
  }
}

/**
 * A TCP pass-through to 127.0.0.1:target whose off() makes the port refuse connections (and
 * cuts open ones), as a phone without signal sees it; on() listens on the same port again.
 */
export async function networkSwitch(target) {
  const sockets = new Set();
  let server = null;
  let port = 0;
  const track = (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); socket.on('error', () => socket.destroy()); };
  const on = () => new Promise((resolve, reject) => {
    server = createServer((client) => {
      const upstream = connect(target, '127.0.0.1');
      track(client); track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { port = server.address().port; resolve(); });
  });
  const off = () => new Promise((resolve) => {
    if (!server) return resolve();
    const closing = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    closing.close(() => resolve());
  });
  await on();
  return { origin: `http://127.0.0.1:${port}`, port, on, off, get online() { return server !== null; } };
}

/**
 * An HTTP pass-through, in front of a server the test does not serve itself (the desk, as
 * behind its reverse proxy), whose `hold` gate (serve.mjs holdGate) parks the requests it
 * matches until released. It listens first, so the server behind it can be told its public
 * address; `to(port)` then names 127.0.0.1:port as where requests go.
 */
export async function startGatedProxy(hold) {
  let target = null;
  const server = createHttpServer(async (req, res) => {
    const wait = hold.pass(new URL(req.url, 'http://proxy').pathname);
    if (wait && (await wait) === 'refuse') return req.socket.destroy();
    if (!target) { res.writeHead(502); return res.end(); }
    const upstream = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    to(port) { target = port; },
    close: () => { server.closeAllConnections(); return new Promise((resolve) => server.close(() => resolve())); },
  };
}

// The page, served with the watcher as the first script in <head> (before the app's boot.js):
// allowed by script-src 'self', it records securitypolicyviolation events and uncaught errors
// in sessionStorage, so they survive reloads of the tab.
const WATCH = readFileSync(new URL('./watch.js', import.meta.url), 'utf8');
function watchedIndex() {
  const html = readFileSync(`${DIST}/index.html`, 'utf8');
  if (!html.includes('<head>')) throw new Error('dist/index.html has no <head>');
  return html.replace('<head>', '<head><script src="./webkit-watch.js"></script>');
}

/**
 * Everything one test needs: the reference receiver and the widget's static server, each
 * behind a network switch, the widget's config pointing at the receiver, the strict CSP.
 * `offline()` takes the page's server and the endpoint off the network; `online()` brings
 * them back; `endpointOffline()` cuts only the endpoint.
 */
export async function startScene({ config = {}, feed, holdWasm = false } = {}) {
  const receiver = await startReceiver();
  const endpointNet = await networkSwitch(Number(new URL(receiver.origin).port));
  const endpoint = `${endpointNet.origin}/reports`;
  const index = watchedIndex();
  const page = { body: index, type: 'text/html; charset=utf-8' };
  const routes = {
    '/': page,
    '/index.html': page,
    '/webkit-watch.js': { body: WATCH, type: 'text/javascript; charset=utf-8' },
    '/config.json': { ...shippedConfig(), endpoint, ...config },
  };
  if (feed !== undefined) routes['/campaigns.json'] = feed;
  const headers = securityHeaders({ endpointOrigin: endpointNet.origin });
  // WebDriver cannot hold a response; the server can: the wasm waits there until released.
  const wasm = holdWasm ? holdGate(WASM) : null;
  const site = await startStatic({ dir: DIST, routes, headers, hold: wasm });
  const siteNet = await networkSwitch(Number(new URL(site.origin).port));
  return {
    receiver,
    /** With holdWasm: the gate (release() lets the wasm download go on, refuse() cuts it; asked lists its requests). */
    wasm,
    url: `${siteNet.origin}/`,
    headers,
    /** Paths the page's server was asked for, in order. */
    requested: site.log,
    async offline() { await Promise.all([siteNet.off(), endpointNet.off()]); },
    async online() { await siteNet.on(); await endpointNet.on(); },
    async endpointOffline() { await endpointNet.off(); },
    async endpointOnline() { await endpointNet.on(); },
    async close() {
      await Promise.all([siteNet.off(), endpointNet.off()]);
      await Promise.all([site.close(), receiver.close()]);
    },
  };
}
