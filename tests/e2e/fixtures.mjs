// Shared set-up for the e2e specs: a static server for dist/ with a test config, the
// reference receiver, and a guard that fails the test on any request leaving 127.0.0.1.
import { test as base, expect } from '@playwright/test';
import { startStatic, securityHeaders } from '../../scripts/serve.mjs';
import { startReceiver } from './receiver.mjs';
import { DIST, DEMO_DIST, shippedConfig, drawPhoto, withGps } from './shared.mjs';

export { DIST, DEMO_DIST, shippedConfig, shippedFeed, shanghaiDay, jpegSegments } from './shared.mjs';

/** The campaigns running on `day`, in the app's order (core::campaign::active_on). */
export function activeOn(feed, day) {
  return feed.campaigns
    .filter((c) => c.start <= day && day <= c.end)
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.end.localeCompare(b.end) || a.id.localeCompare(b.id));
}

export const test = base.extend({
  /** Requests that tried to leave the machine (each test asserts it stays empty). */
  offHost: [async ({ context }, use) => {
    const attempts = [];
    await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]).*/, (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      attempts.push(url);
      return route.abort('blockedbyclient');
    });
    await use(attempts);
    expect(attempts, 'requests to hosts other than 127.0.0.1').toEqual([]);
  }, { auto: true }],

  receiver: async ({}, use) => {
    const receiver = await startReceiver();
    await use(receiver);
    await receiver.close();
  },

  /**
   * serve({ config, feed, routes, csp }) → url of the widget served from dist/.
   * `config` is merged over the shipped config.json; `feed` replaces campaigns.json.
   * With the mock endpoint (the shipped config's), the demo build serves it: the production
   * build has no mock backend.
   */
  /** Static pages of other origins (host pages for the iframe tests). */
  host: async ({}, use) => {
    const servers = [];
    await use(async (html) => {
      const page = typeof html === 'function' ? html : () => html;
      const server = await startStatic({ dir: DIST, routes: { '/host.html': () => ({ body: page(), type: 'text/html; charset=utf-8' }) } });
      servers.push(server);
      return server;
    });
    await Promise.all(servers.map((s) => s.close()));
  },

  serve: async ({}, use) => {
    const servers = [];
    await use(async ({ config = {}, feed, routes = {}, csp = false, headers = {}, dir } = {}) => {
      const all = { '/config.json': { ...shippedConfig(), ...config }, ...routes };
      if (feed !== undefined) all['/campaigns.json'] = feed;
      const endpoint = all['/config.json'].endpoint;
      dir ??= endpoint === 'mock' ? DEMO_DIST : DIST;
      const extra = csp ? securityHeaders({ endpointOrigin: endpoint?.startsWith('http') ? new URL(endpoint).origin : '', ...(typeof csp === 'object' ? csp : {}) }) : {};
      const server = await startStatic({ dir, routes: all, headers: { ...extra, ...headers } });
      servers.push(server);
      return server.url;
    });
    await Promise.all(servers.map((s) => s.close()));
  },
});

export { expect };

/** Waits until the wasm app has replaced the static first paint. */
export async function ready(page) {
  await expect(page.locator('#xj-static')).toHaveCount(0);
  await expect(page.locator('.xj-app nav')).toBeVisible();
}

/** Fills the form with a valid anonymous report (Chinese UI). */
export async function fillReport(page, { description = '3 楼楼道停着一辆电动车在充电', category = '电动车进楼道、进电梯' } = {}) {
  await page.getByLabel('隐患类型').selectOption({ label: category });
  await page.getByLabel('居民区', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('楼号 / 单元').fill('2号楼1单元');
  await page.getByLabel('情况描述').fill(description);
}

/** A JPEG drawn by the browser, w×h, with an EXIF block carrying a GPS position (and an
 * orientation tag: 1 = as stored; 6 = held upright, to be turned a quarter to the right). */
export async function jpegWithGps(page, width = 640, height = 480, orientation = 1) {
  const base64 = await page.evaluate(drawPhoto, [width, height]);
  return withGps(Buffer.from(base64, 'base64'), orientation);
}
