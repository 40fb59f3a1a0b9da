// Performance benchmark: the release build against a static HTML page with the same campaign
// text (the floor), both under Lighthouse's mobile profile (150 ms RTT, 1.6 Mbit/s down,
// 4× CPU slowdown) through the DevTools protocol. Prints medians over several runs and
// each figure as a ratio to the baseline of the same run.
//   node scripts/bench.mjs [runs=5]        (BENCH_PHOTOS=0: start-up figures only)
import { chromium } from '@playwright/test';
import { readFileSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startStatic } from './serve.mjs';
import { startReceiver } from '../tests/e2e/receiver.mjs';

const RUNS = Number(process.argv[2] || 5);
// BENCH_PHOTOS=0 skips the photo and memory figures (the start-up ones take a minute).
const PHOTOS = process.env.BENCH_PHOTOS !== '0';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PROFILE = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

// The floor: the same header, numbers, tabs and campaign cards as plain HTML with the same
// CSS, and a plain HTML report form that a 3-line script shows on "report" (no app at all).
function buildBaseline() {
  const feed = JSON.parse(readFileSync('dist/campaigns.json', 'utf8'));
  const css = readFileSync('dist/' + readFileSync('dist/index.html', 'utf8').match(/href="\.\/(main-[^"]+\.css)"/)[1], 'utf8');
  const esc = (t) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const cards = feed.campaigns.map((c) => `<li class="xj-card"><div class="xj-card-head"><h3>${esc(c.title.zh)}</h3></div><p>${esc(c.summary.zh)}</p><div class="xj-actions"><button class="xj-button">查看详情</button><button class="xj-button xj-primary" data-report>报告此类隐患</button></div></li>`).join('');
  const field = (id, label, control) => `<div class="xj-field"><label for="${id}">${label}</label>${control}</div>`;
  const form = `<section class="xj-section" id="form" hidden><h2>报告安全隐患</h2><form class="xj-form">
${field('c', '隐患类型', '<select id="c"><option>请选择</option><option>电动车进楼道、进电梯</option><option>飞线充电</option><option>私拉乱接电线</option><option>消防通道堵塞</option><option>其他</option></select>')}
${field('a', '居民区', '<select id="a"><option>请选择</option><option>示例一村（演示）</option><option>示例二苑（演示）</option></select>')}
${field('b', '楼号 / 单元', '<input id="b" type="text">')}${field('s', '楼层或具体位置', '<input id="s" type="text">')}
${field('d', '情况描述', '<textarea id="d"></textarea>')}
<fieldset class="xj-field"><legend>照片（选填，最多 3 张）</legend><input type="file" accept="image/*" aria-label="添加照片 1"></fieldset>
<button class="xj-button xj-primary xj-wide">提交报告</button></form></section>`;
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>新泾安全随手报</title><link rel="stylesheet" href="./main.css"><script src="./floor.js" defer></script></head>
<body><div class="xj-app"><header class="xj-header"><div class="xj-brand"><div><h1 class="xj-title">新泾安全随手报</h1><p class="xj-tagline">看安全提示，随手报隐患</p></div></div></header>
<aside class="xj-emergency"><p class="xj-emergency-title">紧急情况请直接拨打电话</p><div class="xj-calls"><a class="xj-call xj-call-fire" href="tel:119">火警 119</a><a class="xj-call" href="tel:110">报警 110</a><a class="xj-call" href="tel:12345">热线 12345</a></div></aside>
<nav class="xj-tabs"><button class="xj-tab" aria-current="page">安全提示</button><button class="xj-tab" data-report>我要报告</button><button class="xj-tab">我的报告</button></nav>
<main class="xj-main"><section class="xj-section" id="list"><h2>当前安全整治</h2><ul class="xj-cards">${cards}</ul></section>${form}</main></div></body></html>`;
  mkdirSync('target/bench-baseline', { recursive: true });
  writeFileSync('target/bench-baseline/index.html', html);
  writeFileSync('target/bench-baseline/main.css', css);
  writeFileSync('target/bench-baseline/floor.js', "document.addEventListener('click', (e) => { if (e.target.closest('[data-report]')) { document.getElementById('list').hidden = true; document.getElementById('form').hidden = false; } });\n");
}

// Records from the very start of the page: LCP candidates (with whether they are in the
// campaign list), the moment the app has replaced the static paint, the first tap, the
// first frame showing the report form, long tasks and layout shifts.
const PROBE = () => {
  const b = window.__bench = { longTasks: [], cls: 0, interactive: null, lcp: [], tapAt: null, formAt: null };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) b.cls += e.value; }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) b.lcp.push([e.startTime, !!e.element?.closest('.xj-cards'), e.element?.tagName]); }).observe({ type: 'largest-contentful-paint', buffered: true });
  addEventListener('pointerdown', (e) => { if (b.tapAt === null) b.tapAt = e.timeStamp; }, true);
  const check = () => {
    if (b.interactive === null && document.querySelector('.xj-card button') && !document.getElementById('xj-static') && !document.querySelector('#xj-app[hidden]')) {
      b.interactive = performance.now();
    }
    const select = document.querySelector('.xj-form select');
    if (b.formAt === null && select && select.offsetParent) {
      b.formAt = -1;
      requestAnimationFrame(() => setTimeout(() => { b.formAt = performance.now(); }, 0));
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden'] });
  addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; });
};

// The photo worker's busy time, as the page sees it: from each request to its answer.
// Chromium throttles only pages ("Operation is only supported for pages, not workers"), so
// the throttled figure for photos comes from the run without a worker, where the very same
// steps run on the page.
const WORKER_PROBE = () => {
  window.__workerBusy = [];
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      const asked = new Map();
      const post = this.postMessage.bind(this);
      this.postMessage = (message, transfer) => { asked.set(message[0], performance.now()); post(message, transfer); };
      this.addEventListener('message', (e) => {
        if (asked.has(e.data[0])) { window.__workerBusy.push([asked.get(e.data[0]), performance.now()]); asked.delete(e.data[0]); }
      });
    }
  };
};
// Older WebViews: no OffscreenCanvas, so every photo step runs on the (throttled) main thread.
const NO_WORKER = () => { delete window.OffscreenCanvas; };
const unionMs = (intervals) => {
  let total = 0, end = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) { if (b > end) { total += b - Math.max(a, end); end = b; } }
  return total;
};

async function throttled(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILE });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return cdp;
}

async function startup(browser, url) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  await throttled(context, page);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__bench.interactive !== null, null, { timeout: 60_000 });
  await page.waitForTimeout(1000);
  const m = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    // "Campaigns readable": the first largest-contentful-paint candidate inside the list.
    readable: window.__bench.lcp.find(([, inList]) => inList)?.[0] ?? NaN,
    lcp: window.__bench.lcp.at(-1)?.[0] ?? NaN,
    interactive: window.__bench.interactive,
    longest: Math.max(0, ...window.__bench.longTasks.map(([, d]) => d)),
    // The app's own start-up: the tasks from the moment its wasm has arrived (instantiation,
    // the mount, the hand-over), apart from the static page's, which the floor has too.
    appLongest: ((arrived) => Math.max(0, ...window.__bench.longTasks.filter(([t]) => t >= arrived).map(([, d]) => d)))(
      performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'))?.responseEnd ?? Infinity),
    cls: window.__bench.cls,
  }));
  await context.close();
  return m;
}

// "Tap report → form usable" on a first visit, after the page has been idle: from the tap
// (pointerdown) on a campaign's "report this" to the first frame showing the form.
async function tapReport(browser, url, floor) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  await throttled(context, page);
  await page.goto(url, { waitUntil: 'load' });
  if (!floor) await page.waitForFunction(() => window.__bench.interactive !== null, null, { timeout: 60_000 });
  await page.waitForTimeout(1000);
  await page.locator('.xj-card .xj-primary >> visible=true').first().tap();
  await page.waitForFunction(() => window.__bench.formAt > 0, null, { timeout: 60_000 });
  const ms = await page.evaluate(() => window.__bench.formAt - window.__bench.tapAt);
  await context.close();
  return ms;
}

// "QR link → form usable": a poster's link (community and building in it), the resident
// taps "report" as soon as it shows; from navigation to the first frame showing the form.
async function qrLink(browser, url) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  await throttled(context, page);
  await page.goto(url + '?community=' + encodeURIComponent('示例二苑（演示）') + '&building=5号楼', { waitUntil: 'commit' });
  await page.locator('.xj-tabs .xj-tab >> visible=true').nth(1).tap({ timeout: 60_000 });
  await page.waitForFunction(() => window.__bench.formAt > 0, null, { timeout: 60_000 });
  const ms = await page.evaluate(() => window.__bench.formAt);
  await context.close();
  return ms;
}

// "Typed in the first second": the resident types as soon as the QR link's form shows (the
// static one, before the app), chooses and sends; is the text still in the form once the app
// has taken over, and does it arrive at the receiver? Also the layout shift on this path.
async function qrTyping(browser, url, receiver, run) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  await throttled(context, page);
  const text = `第 ${run + 1} 次：扫码后马上写下的话，楼道里有电动车`;
  await page.goto(url + '?community=' + encodeURIComponent('示例二苑（演示）') + '&building=5号楼', { waitUntil: 'commit' });
  const field = page.locator('.xj-form textarea >> visible=true');
  await field.waitFor({ timeout: 60_000 });
  const shownAt = await page.evaluate(() => performance.now());
  await field.pressSequentially(text);
  const typedIn = (await page.evaluate(() => performance.now())) - shownAt;
  await page.locator('.xj-form select >> visible=true').first().selectOption('ebike_in_stairwell');
  await page.waitForFunction(() => !document.getElementById('xj-static') && document.getElementById('xj-description'), null, { timeout: 60_000 });
  const kept = (await page.locator('#xj-description').inputValue()) === text;
  await page.locator('#xj-app form.xj-form button[type="submit"]').click();
  let arrived = false;
  for (let i = 0; i < 300 && !arrived; i++) {
    arrived = receiver.reports().some((r) => r.body.description === text);
    if (!arrived) await page.waitForTimeout(100);
  }
  const cls = await page.evaluate(() => window.__bench.cls);
  await context.close();
  return { typedIn, kept, arrived, cls };
}

async function memoryAfterReports(browser, url, receiver, count) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  const cdp = await context.newCDPSession(page);
  await page.goto(url);
  await page.waitForFunction(() => window.__bench.interactive !== null);
  const photo = await page.evaluate(() => { const c = document.createElement('canvas'); c.width = 1200; c.height = 900; const x = c.getContext('2d'); for (let i = 0; i < 300; i++) { x.fillStyle = `hsl(${i * 47 % 360} 60% 50%)`; x.fillRect(i * 13 % 1200, i * 7 % 900, 80, 60); } return c.toDataURL('image/jpeg', 0.9).split(',')[1]; });
  for (let i = 0; i < count; i++) {
    if (await page.getByRole('button', { name: '再报告一个' }).count()) await page.getByRole('button', { name: '再报告一个' }).click();
    else await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
    await page.getByLabel('隐患类型').selectOption('other');
    await page.getByLabel('居民区', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('楼号 / 单元').fill(`${i + 1}号楼`);
    await page.getByLabel('情况描述').fill(`第 ${i + 1} 条测试报告：楼道有杂物`);
    await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo, 'base64') });
    await page.getByRole('img', { name: '照片 1' }).waitFor();
    await page.getByRole('button', { name: '提交报告' }).click();
    await page.getByRole('heading', { name: '已受理' }).waitFor();
  }
  return measureMemory(cdp, page, context);
}

async function measureMemory(cdp, page, context) {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? 0);
  await context.close();
  return { heap, wasm, total: heap + wasm };
}

async function baselineMemory(browser, url) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(url);
  return measureMemory(cdp, page, context);
}

async function photoQueue(browser, url, photos, { worker }) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  await page.addInitScript(worker ? WORKER_PROBE : NO_WORKER);
  await page.goto(url);
  await page.waitForFunction(() => window.__bench.interactive !== null);
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await page.getByLabel('隐患类型').selectOption('ebike_in_stairwell');
  await page.getByLabel('居民区', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('楼号 / 单元').fill('2号楼');
  await page.getByLabel('情况描述').fill('楼道里停着三辆电动车');
  // The photos become File objects in the page before the clock starts, and reach each
  // input the way a file picker delivers them (files + change). Playwright's setInputFiles
  // would instead rebuild 3 MB files from base64 inside the throttled page, about a second
  // per photo that no resident's phone spends.
  const handles = [];
  for (let i = 0; i < 3; i++) {
    handles.push(await page.evaluateHandle((b64) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'photo.jpg', { type: 'image/jpeg' }), photos[i].toString('base64')));
  }
  await throttled(context, page);
  const t0 = await page.evaluate(() => { window.__bench.longTasks = []; return performance.now(); });
  for (let i = 0; i < 3; i++) {
    const input = page.getByLabel(`添加照片 ${i + 1}`);
    await input.evaluate((el, file) => {
      const picked = new DataTransfer();
      picked.items.add(file);
      el.files = picked.files;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, handles[i]);
  }
  for (let i = 0; i < 3; i++) await page.getByRole('img', { name: `照片 ${i + 1}` }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: '提交报告' }).click();
  await page.locator('.xj-count-badge').waitFor({ timeout: 60_000 });
  const m = await page.evaluate((t) => ({ queued: performance.now() - t, longest: Math.max(0, ...window.__bench.longTasks.map(([, d]) => d)), workerBusy: window.__workerBusy || [] }), t0);
  m.workerMs = unionMs(m.workerBusy);
  if (worker && m.workerMs === 0) throw new Error('bench: the photo worker was not used');
  await context.close();
  return m;
}

async function twelveMegapixelJpegs(browser) {
  const page = await browser.newPage();
  const out = [];
  for (let i = 0; i < 3; i++) {
    const b64 = await page.evaluate((seed) => {
      const c = document.createElement('canvas'); c.width = 4000; c.height = 3000;
      const x = c.getContext('2d');
      for (let k = 0; k < 3000; k++) { x.fillStyle = `hsl(${(k * 37 + seed * 91) % 360} 60% ${30 + k % 40}%)`; x.fillRect((k * 131) % 4000, (k * 71) % 3000, 120, 90); }
      return c.toDataURL('image/jpeg', 0.92).split(',')[1];
    }, i);
    out.push(Buffer.from(b64, 'base64'));
  }
  await page.close();
  return out;
}

buildBaseline();
const base = await startStatic({ dir: 'target/bench-baseline', compress: true });
const receiver = await startReceiver();
const hanging = await startReceiver();
hanging.hang(1_000_000);
const appWith = (endpoint) => startStatic({ dir: 'dist', compress: true, routes: { '/config.json': { ...JSON.parse(readFileSync('dist/config.json', 'utf8')), endpoint } } });
// The production build has no mock backend: it is measured with a real endpoint configured.
const app = await appWith(receiver.endpoint);
const appReceiving = await appWith(receiver.endpoint);
const appHanging = await appWith(hanging.endpoint);
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: ARGS });

const sizes = execFileSync('python3', ['scripts/size.py', 'dist']).toString();
const baseBytes = Number(execFileSync('brotli', ['-c', '-q', '11', 'target/bench-baseline/index.html']).length) + Number(execFileSync('brotli', ['-c', '-q', '11', 'target/bench-baseline/main.css']).length);
const brotliTotal = (name) => Number(sizes.match(new RegExp(`TOTAL ${name}\\s+[\\d,]+\\s+[\\d,]+\\s+([\\d,]+)`))[1].replaceAll(',', ''));
const criticalBytes = brotliTotal('critical path');
const wholeBytes = brotliTotal('whole app');

const photos = PHOTOS ? await twelveMegapixelJpegs(browser) : [];
// Warm-up, not counted: the static server brotli-compresses each file on its first request
// (seconds for the wasm on a busy machine), which no deployment does per request.
await startup(browser, app.url);
await startup(browser, base.url);
const rows = { app: [], base: [], photo: [], photoMain: [], tap: [], tapBase: [], qr: [], qrBase: [], typing: [] };
for (let run = 0; run < RUNS; run++) {
  rows.app.push(await startup(browser, app.url));
  rows.base.push(await startup(browser, base.url));
  rows.tap.push({ ms: await tapReport(browser, app.url, false) });
  rows.tapBase.push({ ms: await tapReport(browser, base.url, true) });
  rows.qr.push({ ms: await qrLink(browser, app.url) });
  rows.qrBase.push({ ms: await qrLink(browser, base.url) });
  rows.typing.push(await qrTyping(browser, app.url, receiver, run));
  if (PHOTOS) {
    rows.photo.push(await photoQueue(browser, appHanging.url, photos, { worker: true }));
    rows.photoMain.push(await photoQueue(browser, appHanging.url, photos, { worker: false }));
  }
  process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
}
const memApp = PHOTOS ? await memoryAfterReports(browser, appReceiving.url, receiver, 20) : null;
const memBase = PHOTOS ? await baselineMemory(browser, base.url) : null;
await browser.close();
await Promise.all([app.close(), base.close(), appReceiving.close(), appHanging.close(), receiver.close(), hanging.close()]);

const med = (list, key) => median(list.map((r) => r[key]));
const line = (name, value, baseline, unit, target) => {
  const ratio = baseline ? (value / baseline).toFixed(2) + '×' : 'n/a';
  const show = (v) => (unit === 'bytes' ? Math.round(v).toLocaleString('en') : unit === '' ? v.toFixed(3) : Math.round(v) + ' ms');
  console.log(`${name.padEnd(40)} ${show(value).padStart(12)} ${baseline === null ? ''.padStart(12) : show(baseline).padStart(12)} ${ratio.padStart(8)}   ${target}`);
};
console.log(sizes);
console.log(`Medians of ${RUNS} runs; profile: 150 ms RTT, 1.6 Mbit/s down, 4× CPU slowdown; 360×640.`);
console.log(`${'figure'.padEnd(40)} ${'widget'.padStart(12)} ${'baseline'.padStart(12)} ${'ratio'.padStart(8)}   target`);
console.log('The issue\'s figures (#16):');
line('critical path, brotli', criticalBytes, baseBytes, 'bytes', '≤ 50 KB');
line('campaigns readable (LCP in the list)', med(rows.app, 'readable'), med(rows.base, 'readable'), 'ms', '≤ 1000 ms and ≤ 1.3× the floor');
line('QR link → form usable (typing accepted)', med(rows.qr, 'ms'), med(rows.qrBase, 'ms'), 'ms', '≤ 1.3× the floor');
const all = (key) => rows.typing.filter((r) => r[key]).length + ' of ' + rows.typing.length;
console.log(`${'  typed at once, kept after the app mounts'.padEnd(40)} ${all('kept').padStart(12)}   (typed in ${Math.round(med(rows.typing, 'typedIn'))} ms after the form showed)`);
console.log(`${'  … and arrived at the receiver'.padEnd(40)} ${all('arrived').padStart(12)}`);
line('  layout shift on the QR path', med(rows.typing, 'cls'), null, '', '0');
line('tap "report" → form usable, after idle', med(rows.tap, 'ms'), med(rows.tapBase, 'ms'), 'ms', '≤ 300 ms');
line('whole app, brotli', wholeBytes, baseBytes, 'bytes', '≤ 200 KB');
line('longest start-up task', med(rows.app, 'longest'), med(rows.base, 'longest'), 'ms', '≤ 100 ms (0 = none over 50 ms)');
line('  … of the app, once its wasm is here', med(rows.app, 'appLongest'), null, 'ms', 'the idle mount, in steps');
console.log('Lighthouse mobile performance: see below (target ≥ 99).');
console.log('\nMore:');
line('first contentful paint', med(rows.app, 'fcp'), med(rows.base, 'fcp'), 'ms', '≤ 1000 ms');
line('largest contentful paint (any element)', med(rows.app, 'lcp'), med(rows.base, 'lcp'), 'ms', '');
line('app in place of the static paint (idle)', med(rows.app, 'interactive'), med(rows.base, 'interactive'), 'ms', 'after the campaigns are readable');
line('cumulative layout shift', med(rows.app, 'cls'), med(rows.base, 'cls'), '', '≤ 0.02');
if (PHOTOS) {
line('queue a report with 3 × 12 MP photos', med(rows.photoMain, 'queued'), null, 'ms', '≤ 1500 ms (every step on the page, all at 4×)');
line('  longest task meanwhile', med(rows.photoMain, 'longest'), null, 'ms', 'responsive');
line('  the same with the photo worker', med(rows.photo, 'queued'), null, 'ms', `worker steps unthrottled (${Math.round(med(rows.photo, 'workerMs'))} ms busy)`);
line('  longest task meanwhile', med(rows.photo, 'longest'), null, 'ms', 'responsive');
line('JS heap + wasm memory after 20 reports', memApp.total, memBase.total, 'bytes', '< 16 MB');
console.log(`  (JS heap ${Math.round(memApp.heap).toLocaleString('en')} + wasm ${memApp.wasm.toLocaleString('en')} bytes)`);
}
