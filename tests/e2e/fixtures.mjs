// Shared set-up for the e2e specs: a static server for dist/ with a test config, the
// reference receiver, and a guard that fails the test on any request leaving 127.0.0.1.
import { test as base, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { startStatic, securityHeaders } from '../../scripts/serve.mjs';
import { startReceiver } from './receiver.mjs';

export const DIST = process.env.DIST || 'dist';
export const shippedConfig = () => JSON.parse(readFileSync(`${DIST}/config.json`, 'utf8'));
export const shippedFeed = () => JSON.parse(readFileSync(`${DIST}/campaigns.json`, 'utf8'));

export function shanghaiDay(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);
}

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
    await use(async ({ config = {}, feed, routes = {}, csp = false, headers = {}, dir = DIST } = {}) => {
      const all = { '/config.json': { ...shippedConfig(), ...config }, ...routes };
      if (feed !== undefined) all['/campaigns.json'] = feed;
      const endpoint = all['/config.json'].endpoint;
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

/** A JPEG drawn by the browser, w×h, with an EXIF block carrying a GPS position inserted. */
// A JPEG carrying EXIF with a GPS position and an orientation tag (1 = as stored; 6 = the
// phone was held upright, so the picture must be turned a quarter to the right).
export async function jpegWithGps(page, width = 640, height = 480, orientation = 1) {
  const base64 = await page.evaluate(([w, h]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    const g = ctx.createLinearGradient(0, 0, w, h);
    g.addColorStop(0, '#c33'); g.addColorStop(1, '#33c');
    ctx.fillStyle = g; ctx.fillRect(0, 0, w, h);
    for (let i = 0; i < 400; i++) { ctx.fillStyle = `hsl(${i * 37 % 360} 70% 50%)`; ctx.fillRect((i * 97) % w, (i * 53) % h, 40, 30); }
    return canvas.toDataURL('image/jpeg', 0.95).split(',')[1];
  }, [width, height]);
  const jpeg = Buffer.from(base64, 'base64');
  return Buffer.concat([jpeg.subarray(0, 2), exifWithGps(orientation), jpeg.subarray(2)]);
}

function exifWithGps(orientation) {
  // Big-endian TIFF: IFD0 with the orientation and a GPSInfo pointer; GPS IFD with latitude ref and value.
  const tiff = Buffer.alloc(92);
  tiff.write('MM', 0, 'ascii'); tiff.writeUInt16BE(42, 2); tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(2, 8); // IFD0: 2 entries, in tag order
  tiff.writeUInt16BE(0x0112, 10); tiff.writeUInt16BE(3, 12); tiff.writeUInt32BE(1, 14); tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt16BE(0x8825, 22); tiff.writeUInt16BE(4, 24); tiff.writeUInt32BE(1, 26); tiff.writeUInt32BE(38, 30);
  tiff.writeUInt32BE(0, 34);
  tiff.writeUInt16BE(2, 38); // GPS IFD: 2 entries
  tiff.writeUInt16BE(1, 40); tiff.writeUInt16BE(2, 42); tiff.writeUInt32BE(2, 44); tiff.write('N\0', 48, 'ascii');
  tiff.writeUInt16BE(2, 52); tiff.writeUInt16BE(5, 54); tiff.writeUInt32BE(3, 56); tiff.writeUInt32BE(68, 60);
  tiff.writeUInt32BE(0, 64);
  [[31, 1], [13, 1], [4821, 100]].forEach(([n, d], i) => { tiff.writeUInt32BE(n, 68 + i * 8); tiff.writeUInt32BE(d, 72 + i * 8); });
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** The marker bytes of a JPEG's segments before the image data (0xE1 is EXIF). */
export function jpegSegments(buffer) {
  const markers = [];
  let i = 2;
  while (i + 4 <= buffer.length && buffer[i] === 0xff) {
    const marker = buffer[i + 1];
    markers.push(marker);
    if (marker === 0xda) break;
    i += 2 + buffer.readUInt16BE(i + 2);
  }
  return markers;
}
