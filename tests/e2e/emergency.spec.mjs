// The emergency numbers while a resident fills in the form on a small phone: in full at the
// top, one slim row once scrolled, always a tap away, and nothing on the page jumps.
import { test, expect, ready } from './fixtures.mjs';

for (const [lang, t] of Object.entries({
  zh: { query: '', report: '我要报告', heading: '紧急情况请直接拨打电话', links: ['火警 119', '报警 110', '热线 12345'], field: '情况描述' },
  en: { query: '?lang=en', report: /^Report$/, heading: 'Emergency? Call now', links: ['Fire 119', 'Police 110', 'Hotline 12345'], field: 'What did you see?' },
})) {
  test(`the numbers shrink to one slim row while scrolling the form, with no layout shift (${lang})`, async ({ page, serve }) => {
    await page.addInitScript(() => {
      window.__shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto((await serve()) + t.query);
    await ready(page);
    await page.getByRole('navigation').getByRole('button', { name: t.report }).click();
    const slim = page.getByRole('region', { name: t.heading });
    await expect(slim).toBeHidden();
    const full = page.getByRole('complementary', { name: t.heading });
    const fullHeight = (await full.boundingBox()).height;

    await page.getByLabel(t.field).scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 400);
    await expect(slim).toBeVisible();
    for (const [i, name] of t.links.entries()) {
      await expect(slim.getByRole('link', { name })).toHaveAttribute('href', ['tel:119', 'tel:110', 'tel:12345'][i]);
    }
    // It slides in (a short transform transition): wait until it has arrived at the top.
    await expect.poll(async () => (await slim.boundingBox()).y).toBe(0);
    const box = await slim.boundingBox();
    expect(box.height, 'one slim row').toBeLessThanOrEqual(64);
    expect(box.height, "slimmer than the full strip").toBeLessThan(fullHeight);
    // The field being typed into is not covered by the row.
    await page.getByLabel(t.field).focus();
    const field = await page.getByLabel(t.field).boundingBox();
    expect(field.y).toBeGreaterThanOrEqual(box.height);

    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(slim).toBeHidden();
    await expect(full.getByRole('link', { name: t.links[0] })).toBeInViewport();
    expect(await page.evaluate(() => window.__shift)).toBe(0);
  });
}
