import { test, expect, ready, shippedFeed, shanghaiDay } from './fixtures.mjs';

function feedWithDates() {
  const feed = shippedFeed();
  const [first, second, third, ...rest] = feed.campaigns;
  first.start = shanghaiDay(-10); first.end = shanghaiDay(0);       // ends today: shown
  second.start = shanghaiDay(-30); second.end = shanghaiDay(-1);    // ended yesterday: hidden
  third.start = shanghaiDay(1); third.end = shanghaiDay(30);        // starts tomorrow: hidden
  feed.campaigns = [first, second, third, ...rest];
  return { feed, shown: first, expired: second, future: third };
}

test('shows active campaigns in Chinese, hides expired and future ones', async ({ page, serve }) => {
  const { feed, shown, expired, future } = feedWithDates();
  await page.goto(await serve({ feed }));
  await ready(page);
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  await expect(page.getByRole('heading', { name: shown.title.zh })).toBeVisible();
  await expect(page.getByRole('heading', { name: expired.title.zh })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: future.title.zh })).toHaveCount(0);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  for (const number of ['119', '110', '12345']) {
    await expect(page.locator(`a[href="tel:${number}"]`).first()).toBeVisible();
  }
});

test('English via ?lang=en, and the switch changes language and <html lang>', async ({ page, serve }) => {
  const { feed, shown } = feedWithDates();
  const url = await serve({ feed });
  await page.goto(url + '?lang=en');
  await ready(page);
  await expect(page.getByRole('heading', { name: 'What the town asks now' })).toBeVisible();
  await expect(page.getByRole('heading', { name: shown.title.en })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('button', { name: '切换到中文' }).click();
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});

test('detail view, and "report this" opens the form with the category chosen', async ({ page, serve }) => {
  await page.goto(await serve());
  await ready(page);
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: '不要飞线充电' }) });
  await card.getByRole('button', { name: '查看详情' }).click();
  await expect(page.getByRole('heading', { level: 2, name: '不要飞线充电' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '为什么' })).toBeVisible();
  await expect(page.getByText('临时拉的电线日晒雨淋')).toBeVisible();
  await page.getByRole('button', { name: '报告此类隐患' }).click();
  await expect(page.getByRole('heading', { name: '报告安全隐患' })).toBeVisible();
  await expect(page.getByLabel('隐患类型')).toHaveValue('flying_line_charging');
});

for (const [name, answer] of [
  ['failing', { status: 503, body: 'unavailable', type: 'text/plain' }],
  ['malformed', { status: 200, body: '{"campaigns": [ {"id": ', type: 'application/json' }],
]) {
  test(`a ${name} remote feed falls back to the saved campaigns with a note`, async ({ page, serve }) => {
    const good = feedWithDates();
    let current = good.feed;
    const url = await serve({ routes: { '/campaigns.json': () => current } });
    await page.goto(url);
    await ready(page);
    await expect(page.getByRole('heading', { name: good.shown.title.zh })).toBeVisible();
    // The served feed (not the bundled one) is on screen, so it has been saved.
    await expect(page.getByRole('heading', { name: good.expired.title.zh })).toHaveCount(0);
    current = answer;
    await page.reload();
    await ready(page);
    await expect(page.getByRole('status').filter({ hasText: '暂时无法更新，显示的是' })).toBeVisible();
    await expect(page.getByRole('heading', { name: good.shown.title.zh })).toBeVisible();
    await expect(page.getByRole('heading', { name: good.expired.title.zh })).toHaveCount(0);
  });
}

test('with no saved copy, a failing feed shows the built-in campaigns with a note (English)', async ({ page, serve }) => {
  await page.goto((await serve({ routes: { '/campaigns.json': { status: 500, body: 'x', type: 'text/plain' } } })) + '?lang=en');
  await ready(page);
  await expect(page.getByRole('status').filter({ hasText: 'showing the built-in campaigns' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Keep e-bikes out of stairwells' })).toBeVisible();
});

test('an empty state when no campaign is running', async ({ page, serve }) => {
  const feed = shippedFeed();
  for (const c of feed.campaigns) { c.start = shanghaiDay(-20); c.end = shanghaiDay(-2); }
  await page.goto(await serve({ feed }));
  await ready(page);
  await expect(page.getByText('目前没有进行中的专项整治')).toBeVisible();
});

test('large-text mode survives a reload and scales the text', async ({ page, serve }) => {
  await page.goto(await serve());
  await ready(page);
  const size = () => page.locator('.xj-app').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  const before = await size();
  const toggle = page.getByRole('button', { name: '长辈模式' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await page.reload();
  await ready(page);
  await expect(page.getByRole('button', { name: '长辈模式' })).toHaveAttribute('aria-pressed', 'true');
  expect(await size()).toBeGreaterThanOrEqual(before * 1.3);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
