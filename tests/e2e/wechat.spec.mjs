// Inside WeChat: detection only adapts; a broken deployment config never sends anywhere.
import { test, expect, ready, DIST } from './fixtures.mjs';

test('in a mini-program web-view, the call links carry a hint that tapping may not dial', async ({ page, serve }) => {
  await page.addInitScript(() => { window.__wxjs_environment = 'miniprogram'; });
  await page.goto(await serve());
  await ready(page);
  await expect(page.getByText('如点击无法直接拨号，请长按号码复制后拨打。')).toBeVisible();
  await expect(page.getByRole('link', { name: '火警 119' })).toHaveAttribute('href', 'tel:119');
});

test('in the WeChat browser (no mini-program) there is no hint', async ({ page, serve }) => {
  await page.goto(await serve());
  await ready(page);
  expect(await page.evaluate(() => navigator.userAgent)).toContain('MicroMessenger');
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  await expect(page.getByText('如点击无法直接拨号')).toHaveCount(0);
});

for (const [why, config] of [
  ['a plain-http endpoint', { endpoint: 'http://reports.example.com/api' }],
  ['no endpoint', { endpoint: '' }],
  ['an unknown language', { default_lang: 'fr' }],
]) {
  test(`an invalid config (${why}) says so and offers 12345, never another endpoint`, async ({ page, serve }) => {
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(await serve({ config }));
    await ready(page);
    await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
    await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
    await expect(page.getByRole('alert')).toContainText('配置有误');
    await expect(page.getByRole('link', { name: '热线 12345' }).last()).toHaveAttribute('href', 'tel:12345');
    await expect(page.getByLabel('情况描述')).toHaveCount(0);
    expect(errors.join('\n')).toContain('xinjing-safety config');
  });
}

test('the production build has no mock backend: the demo config is refused like any invalid one', async ({ page, serve }) => {
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(await serve({ config: { endpoint: 'mock' }, dir: DIST }));
  await ready(page);
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '演示控制（模拟后台）' })).toHaveCount(0);
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByRole('alert')).toContainText('配置有误');
  await expect(page.getByLabel('情况描述')).toHaveCount(0);
  expect(errors.join('\n')).toContain('no mock backend');
});
