// The static first paint is the reading experience: every campaign running today, with its
// details, in both languages, without WebAssembly at all.
import { test, expect, shippedFeed, shanghaiDay, activeOn } from './fixtures.mjs';

// WebAssembly switched off (iOS Lockdown Mode, locked-down WebViews): the page has no
// WebAssembly object. fallback.spec.mjs covers jitless V8, where it is missing too.
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => { delete window.WebAssembly; });
});

const SECTIONS = {
  zh: { rule: '要求', why: '为什么', instead: '应该怎么做', if_not: '不遵守会怎样', source: '依据' },
  en: { rule: 'The rule', why: 'Why', instead: 'What to do instead', if_not: 'If the rule is not kept', source: 'Source' },
};

async function readEveryCampaign(page, lang, campaigns) {
  const more = lang === 'zh' ? '查看详情' : 'Read more';
  const headings = page.getByRole('list').getByRole('heading', { level: 3 });
  await expect(headings).toHaveText(campaigns.map((c) => c.title[lang]), { useInnerText: true });
  for (const c of campaigns) {
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: c.title[lang], exact: true }) });
    await expect(card.getByText(c.summary[lang], { exact: true })).toBeVisible();
    const details = card.locator('details');
    if (!(await details.evaluate((d) => d.open))) await card.getByText(more, { exact: true }).click();
    for (const [key, heading] of Object.entries(SECTIONS[lang])) {
      if (!c[key]) continue;
      await expect(card.getByRole('heading', { name: heading, exact: true })).toBeVisible();
      await expect(card.getByText(c[key][lang], { exact: true })).toBeVisible();
    }
  }
}

test('without WebAssembly, every running campaign and its details can be read, in Chinese and in English', async ({ page, serve }) => {
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(await serve());
  expect(await page.evaluate(() => typeof WebAssembly)).toBe('undefined');
  const campaigns = activeOn(shippedFeed(), shanghaiDay());
  expect(campaigns.length).toBeGreaterThan(0);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await readEveryCampaign(page, 'zh', campaigns);
  // Reporting needs the app: its buttons give way to the "call 12345" note.
  await expect(page.getByRole('alert')).toContainText('请拨打 12345');
  await expect(page.getByRole('button', { name: '报告此类隐患' })).toHaveCount(0);
  for (const number of ['119', '110', '12345']) await expect(page.locator(`a[href="tel:${number}"]`)).toBeVisible();

  await page.getByRole('button', { name: 'Switch to English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'What the town asks now' })).toBeVisible();
  await readEveryCampaign(page, 'en', campaigns);
  await expect(page.getByRole('alert')).toContainText('please call the 12345 citizen hotline');
  // The choice is kept where the app reads it, and applies before the next first paint.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'What the town asks now' })).toBeVisible();
  expect(errors.join('\n')).toContain('could not start');
});

test('large-text mode works on the static page and is remembered', async ({ page, serve }) => {
  await page.goto(await serve());
  const size = () => page.locator('#xj-static').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  const before = await size();
  await page.getByRole('button', { name: '长辈模式' }).click();
  await expect(page.getByRole('button', { name: '长辈模式' })).toHaveAttribute('aria-pressed', 'true');
  expect(await size()).toBeGreaterThanOrEqual(before * 1.3);
  await page.reload();
  await expect(page.getByRole('button', { name: '长辈模式' })).toHaveAttribute('aria-pressed', 'true');
  expect(await size()).toBeGreaterThanOrEqual(before * 1.3);
  expect(await page.evaluate(() => localStorage.getItem('xj.large'))).toBe('1');
});

test('?lang=en chooses English before the first paint', async ({ page, serve }) => {
  await page.goto((await serve()) + '?lang=en');
  await expect(page.getByRole('heading', { name: 'What the town asks now' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: '切换到中文' })).toBeVisible();
});

test('campaigns not running on the reader\'s Shanghai day are hidden, and an empty day says so', async ({ page, serve }) => {
  const feed = shippedFeed();
  const url = await serve();
  // A day on which only some bundled campaigns run: the day after the earliest end.
  const ends = [...new Set(feed.campaigns.map((c) => c.end))].sort();
  const day = new Date(Date.parse(ends[0] + 'T12:00:00+08:00') + 86400e3);
  const iso = new Date(day.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
  const running = activeOn(feed, iso);
  expect(running.length).toBeGreaterThan(0);
  expect(running.length).toBeLessThan(feed.campaigns.length);
  await page.clock.setFixedTime(day);
  await page.goto(url);
  await expect(page.getByRole('list').getByRole('heading', { level: 3 })).toHaveText(running.map((c) => c.title.zh), { useInnerText: true });
  for (const c of feed.campaigns.filter((c) => !running.includes(c))) {
    await expect(page.getByRole('heading', { name: c.title.zh })).toHaveCount(0);
  }
  await expect(page.getByText('目前没有进行中的专项整治')).toBeHidden();

  // Before every campaign: nothing runs yet.
  const starts = feed.campaigns.map((c) => c.start).sort();
  await page.clock.setFixedTime(new Date(Date.parse(starts[0] + 'T00:00:00+08:00') - 1000));
  await page.reload();
  await expect(page.getByText('目前没有进行中的专项整治')).toBeVisible();
  await expect(page.getByRole('list').getByRole('heading', { level: 3 })).toHaveCount(0);
});
