// A hostile network, a second deployment and an impatient resident: each test shows one
// way the widget used to let a resident down, against the reference receiver in Chromium.
import { test, expect, ready, fillReport, jpegWithGps, DIST, shippedConfig } from './fixtures.mjs';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

async function open(page, serve, receiver, config = {}) {
  const url = await serve({ config: { endpoint: receiver.endpoint, ...config } });
  await page.goto(url);
  await ready(page);
  return url;
}

async function submit(page, description) {
  await nav(page, '我要报告').click();
  await fillReport(page, description ? { description } : undefined);
  await page.getByRole('button', { name: '提交报告' }).click();
}

// No idle time ever comes: only an intent starts the app.
const NEVER_IDLE = () => { window.requestIdleCallback = () => 0; };

test('no signal while the app downloads: "no connection", not "this browser cannot"; it opens the form once back online', async ({ page, context, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  await page.goto(await serve());
  await context.setOffline(true);
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '没有网络连接' })).toBeVisible();
  await expect(page.getByText('此浏览器无法打开在线报告')).toBeHidden();
  await context.setOffline(false);
  await expect(page.getByRole('heading', { name: '报告安全隐患' })).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#xj-static')).toHaveCount(0);
});

test('an app download that fails is tried again at the next tap, which opens the screen asked for (English)', async ({ page, serve }) => {
  await page.addInitScript(NEVER_IDLE);
  await page.route('**/*.wasm', (route) => route.abort('internetdisconnected'));
  await page.goto((await serve()) + '?lang=en');
  await page.getByRole('navigation').getByRole('button', { name: 'Report', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'No connection' })).toBeVisible();
  await expect(page.getByText('This browser cannot open the report form')).toBeHidden();
  await page.unroute('**/*.wasm');
  await page.getByRole('navigation').getByRole('button', { name: 'My reports' }).click();
  await expect(page.getByRole('heading', { name: 'Received reports' })).toBeVisible({ timeout: 20_000 });
});

test('every JS file the page or the app loads is named by its content', async () => {
  const walk = (dir) => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const files = walk(DIST).filter((f) => f.endsWith('.js')).map((f) => relative(DIST, f));
  // Names others rely on: the service worker's URL is its identity, host pages link
  // embed.js, and nomodule.js only ever adds one class.
  const fixed = ['sw.js', 'embed.js', 'nomodule.js'];
  const digest = (file) => createHash('sha256').update(readFileSync(join(DIST, file))).digest('hex');
  for (const file of files.filter((f) => !fixed.includes(f))) {
    const hash = file.match(/-([0-9a-f]{12,16})\.js$/)?.[1];
    expect(hash, `${file} has no content hash in its name`).toBeTruthy();
    if (/^(snippets\/|photo-worker-|boot-)/.test(file)) expect(digest(file).startsWith(hash), `${file} is not named by its content`).toBe(true);
  }
  const snippets = files.filter((f) => f.startsWith('snippets/'));
  expect(snippets.some((f) => /\/browser-[0-9a-f]{16}\.js$/.test(f))).toBe(true);
  // The glue and the wasm share one name, which covers both.
  const glue = files.find((f) => /^xinjing-safety-[0-9a-f]{16}\.js$/.test(f));
  expect(readdirSync(DIST)).toContain(glue.replace('.js', '_bg.wasm'));
});

