// A new deploy under the worst caching a deployer can choose: every file (page, loader,
// service worker's precache) served with a year-long max-age. The phone that knew v1 must
// end up on v2 with a working app, never on v1's page pointing at files v2 removed.
// The base test, not the fixtures' one: its request guard uses routing, and routing turns
// Chromium's HTTP cache off, which is the very cache this test is about. Off-host requests
// are still checked, by listening instead of routing.
import { test, expect } from '@playwright/test';
import { ready, DIST } from './fixtures.mjs';
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStatic } from '../../scripts/serve.mjs';

const read = (dir, name) => readFileSync(join(dir, name), 'utf8');
const bootOf = (dir) => read(dir, 'index.html').match(/<script type="module" src="\.\/([^"]+)"/)[1];
const versionOf = (dir) => read(dir, 'sw.js').match(/"version":"([0-9a-z]+)"|Cache version ([0-9a-z]+)/).slice(1).find(Boolean);

/** v2: the same app under new hashed names, as the next release build would have. */
function nextRelease(v1, v2) {
  cpSync(v1, v2, { recursive: true });
  // The page does not name the app's files: the loader does. Trunk writes the
  // hash in hex without leading zeros, so it is 15 digits one build in 16.
  const hash = read(v1, bootOf(v1)).match(/xinjing-safety-([0-9a-f]+)\.js/)[1];
  const next = [...hash].reverse().join('');
  for (const name of readdirSync(v2)) {
    if (name.includes(hash)) renameSync(join(v2, name), join(v2, name.replace(hash, next)));
  }
  const boot = bootOf(v1);
  const newBoot = boot === 'boot.js' ? boot : boot.replace(/boot-[0-9a-f]+/, 'boot-2222222222aa');
  writeFileSync(join(v2, newBoot), read(v1, boot).replaceAll(hash, next));
  if (newBoot !== boot) rmSync(join(v2, boot));
  const version = versionOf(v1);
  for (const file of ['index.html', 'sw.js']) {
    writeFileSync(join(v2, file), read(v2, file).replaceAll(hash, next).replaceAll(boot, newBoot).replaceAll(version, 'deploy2'));
  }
  return { wasm: `xinjing-safety-${next}_bg.wasm` };
}

test('a v1 → v2 deploy served with a year-long max-age lands on a working v2', async ({ page }) => {
  const root = mkdtempSync(join(tmpdir(), 'xj-deploy-'));
  const [v1, v2] = [join(root, 'v1'), join(root, 'v2')];
  cpSync(DIST, v1, { recursive: true });
  const { wasm } = nextRelease(v1, v2);
  const offHost = [];
  page.on('request', (r) => { if (!/^(https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(r.url())) offHost.push(r.url()); });
  let live = v1;
  const server = await startStatic({ dir: () => live, headers: { 'Cache-Control': 'public, max-age=31536000' } });
  try {
    await page.goto(server.url);
    await ready(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    live = v2; // the deployer copies the new build over the old one
    await page.reload();
    // The browser checks sw.js on that navigation; wait until the v2 worker has taken over.
    await expect.poll(() => page.evaluate(async () => (await caches.keys()).join(' ')), { timeout: 20_000 })
      .toMatch(/^xinjing-\S*deploy2$/);

    // The phone's HTTP cache loses the big old files (a cheap phone evicts first what is
    // largest); whatever the new worker kept must then be enough to start v2.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    const loaded = [];
    page.on('response', (r) => loaded.push([new URL(r.url()).pathname.slice(1), r.status()]));
    await page.reload();
    await ready(page);
    await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
    expect(loaded.filter(([, status]) => status >= 400), 'nothing the page asked for is missing').toEqual([]);
    expect(loaded.map(([path]) => path)).toContain(wasm);
    expect(offHost, 'requests to hosts other than 127.0.0.1').toEqual([]);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
});
