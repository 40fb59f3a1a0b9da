// Old or broken WebViews: without WebAssembly the static first paint stays, with numbers.
import { test, expect } from './fixtures.mjs';
import { CHROMIUM_ARGS } from './playwright.config.js';

// This file's browser runs with WebAssembly switched off: V8's jitless mode has no
// WebAssembly, as in iOS Lockdown Mode and some locked-down WebViews.
test.use({ launchOptions: { executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--js-flags=--jitless'] } });

test('without WebAssembly the static page stays, with 119 / 110 / 12345 and the campaign names', async ({ page, serve }) => {
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(await serve());
    expect(await page.evaluate(() => typeof WebAssembly)).toBe('undefined');
    await expect(page.getByRole('alert')).toContainText('请拨打 12345');
    for (const [name, number] of [['火警 119', '119'], ['报警 110', '110'], ['热线 12345', '12345']]) {
      await expect(page.getByRole('link', { name })).toHaveAttribute('href', `tel:${number}`);
    }
    await expect(page.getByText('电动车不进楼道')).toBeVisible();
    await expect(page.getByRole('heading', { name: '新泾安全随手报' })).toBeVisible();
    expect(errors.join('\n')).toContain('could not start');
});

test('the static first paint needs no script at all', async ({ page, serve }) => {
  await page.route('**/*.js', (route) => route.abort());
  await page.goto(await serve());
  await expect(page.getByRole('link', { name: '火警 119' })).toBeVisible();
  await expect(page.getByText('不要飞线充电')).toBeVisible();
});
