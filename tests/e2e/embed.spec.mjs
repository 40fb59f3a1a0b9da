import { test, expect } from './fixtures.mjs';

const hostPage = (widgetUrl) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>社区 H5 页面</title>
<style>body{margin:0;font:16px sans-serif} h1{font-size:18px;margin:8px}</style></head>
<body><h1>示例社区公众号页面</h1>
<div data-xinjing-widget data-src="${widgetUrl}"></div>
<script>window.__heights = []; addEventListener('message', (e) => { if (e.data && e.data.type === 'xinjing:height') window.__heights.push([e.origin, e.data.height]); });</script>
<script src="${widgetUrl}embed.js"></script></body></html>`;

test('the iframe snippet grows and shrinks with the widget; only height is sent', async ({ page, serve, host }) => {
  // The host's origin must be known before the widget's config names it: start the host
  // first with a placeholder page, then serve the widget with parent_origins set.
  let html = '';
  const hostServer = await host(() => html);
  const widgetUrl = await serve({ config: { parent_origins: [hostServer.origin] } });
  html = hostPage(widgetUrl);
  await page.goto(hostServer.origin + '/host.html');
  const frame = page.frameLocator('iframe');
  await expect(frame.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  const iframe = page.locator('iframe');
  const heightOf = () => iframe.evaluate((el) => el.getBoundingClientRect().height);
  await expect.poll(heightOf).toBeGreaterThan(900);
  const campaigns = await heightOf();
  await frame.getByRole('button', { name: '我要报告' }).click();
  await frame.getByLabel('隐患类型').selectOption({ label: '正在起火、冒烟或有危险' });
  await expect.poll(heightOf).toBeLessThan(campaigns);
  await frame.getByLabel('隐患类型').selectOption({ label: '其他安全隐患' });
  await expect.poll(heightOf).toBeGreaterThan(campaigns - 200);
  const messages = await page.evaluate(() => window.__heights);
  expect(messages.length).toBeGreaterThan(1);
  for (const [origin, height] of messages) {
    expect(origin).toBe(new URL(widgetUrl).origin);
    expect(typeof height).toBe('number');
  }
});

test('a host page that is not in parent_origins gets nothing, even when it asks', async ({ page, serve, host }) => {
  let html = '';
  const allowed = await host(() => '<p>allowed</p>');
  const evil = await host(() => html);
  const widgetUrl = await serve({ config: { parent_origins: [allowed.origin] } });
  html = hostPage(widgetUrl);
  await page.goto(evil.origin + '/host.html');
  const frame = page.frameLocator('iframe');
  await expect(frame.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  // Ask explicitly, as embed.js does on load. A probe in the frame, listening after the
  // widget, echoes the question back to the host: messages from one window to another
  // arrive in order, so once the echo is in, any answer from the widget would be too.
  const widgetFrame = page.frames().find((f) => f.url().startsWith(widgetUrl));
  await widgetFrame.evaluate(() => addEventListener('message', (e) => {
    if (e.data?.type === 'xinjing:hello') setTimeout(() => parent.postMessage({ type: 'probe:echo' }, '*'));
  }));
  await page.evaluate((origin) => {
    window.__echoed = false;
    addEventListener('message', (e) => { if (e.data?.type === 'probe:echo') window.__echoed = true; });
    document.querySelector('iframe').contentWindow.postMessage({ type: 'xinjing:hello' }, origin);
  }, new URL(widgetUrl).origin);
  await page.waitForFunction(() => window.__echoed);
  expect(await page.evaluate(() => window.__heights)).toEqual([]);
  expect(await page.locator('iframe').evaluate((el) => el.getBoundingClientRect().height)).toBe(640);
});
