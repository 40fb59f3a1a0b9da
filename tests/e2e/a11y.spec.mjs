// WCAG 2.2 AA: axe-core on every screen, in both languages and in large-text mode; a
// keyboard-only report; layout at three phone widths.
import { createRequire } from 'node:module';
import { test, expect, ready, fillReport } from './fixtures.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

async function axe(page, screen) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] }));
  const violations = result.violations.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(violations, screen).toEqual([]);
}

const LANGS = {
  zh: { query: '', campaigns: '安全提示', report: '我要报告', mine: /我的报告/, readMore: '查看详情', back: '返回', submit: '提交报告', large: '长辈模式' },
  en: { query: '?lang=en', campaigns: 'Campaigns', report: /^Report$/, mine: /My reports/, readMore: 'Read more', back: 'Back', submit: 'Send report', large: 'Large text' },
};

for (const [lang, t] of Object.entries(LANGS)) {
  for (const large of [false, true]) {
    test(`axe finds no violations on any screen (${lang}${large ? ', large text' : ''})`, async ({ page, serve, receiver }) => {
      receiver.fail(503, 100); // keeps one report waiting in the outbox
      await page.goto((await serve({ config: { endpoint: receiver.endpoint } })) + t.query);
      await ready(page);
      if (large) await page.getByRole('button', { name: t.large }).click();
      await axe(page, 'campaigns');
      await page.getByRole('button', { name: t.readMore }).first().click();
      await axe(page, 'detail');
      await nav(page, t.report).click();
      await axe(page, 'form');
      await page.getByRole('button', { name: t.submit }).click();
      await axe(page, 'form with errors');
      await page.getByLabel(lang === 'zh' ? '隐患类型' : 'Type of hazard').selectOption('other');
      await page.getByLabel(lang === 'zh' ? '居民区' : 'Residential area', { exact: true }).selectOption({ index: 1 });
      await page.getByLabel(lang === 'zh' ? '楼号 / 单元' : 'Building / entrance').fill('2号楼');
      await page.getByLabel(lang === 'zh' ? '情况描述' : 'What did you see?').fill('楼道灯坏了很久了');
      await page.getByRole('button', { name: t.submit }).click();
      // The receiver answers 503: the report waits on the phone, and the screen says so.
      await expect(page.getByRole('heading', { name: lang === 'zh' ? '已保存在本机，尚未发送' : 'Saved on this phone, not sent yet' })).toBeVisible();
      await axe(page, 'confirmation');
      await nav(page, t.mine).click();
      await expect(page.getByRole('heading', { name: lang === 'zh' ? '尚未发送' : 'Not sent yet' })).toBeVisible();
      await axe(page, 'outbox and my reports');
    });
  }
}

test('axe: my reports with a received ticket and the satisfaction question', async ({ page, serve, receiver }) => {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await nav(page, '我要报告').click();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await axe(page, 'confirmation with ticket');
  receiver.setStatus(receiver.reports()[0].ticket, 'resolved', '已处理');
  await nav(page, /我的报告/).click();
  await expect(page.getByRole('group', { name: '您对处理结果满意吗？' })).toBeVisible();
  await axe(page, 'my reports');
});

for (const lang of ['zh', 'en']) {
  test(`axe: the loop back (similar hint, history, merged-into, comment with its error, reopened) (${lang})`, async ({ page, serve, receiver }) => {
    const zh = lang === 'zh';
    const url = (await serve({ config: { endpoint: receiver.endpoint } })) + (zh ? '' : '?lang=en');
    await page.goto(url);
    await ready(page);
    for (let n = 0; n < 2; n++) {
      await nav(page, zh ? '我要报告' : /^Report$/).click();
      if (zh) await fillReport(page);
      else {
        await page.getByLabel('Type of hazard').selectOption('ebike_in_stairwell');
        await page.getByLabel('Residential area', { exact: true }).selectOption({ index: 1 });
        await page.getByLabel('Building / entrance').fill('2号楼1单元');
        await page.getByLabel('What did you see?').fill('An e-bike is charging in the corridor');
      }
      if (n === 1) await expect(page.getByRole('status').filter({ hasText: zh ? '类似报告' : 'similar report' })).toBeVisible();
      await page.getByRole('button', { name: zh ? '提交报告' : 'Send report' }).click();
      await expect(page.getByRole('heading', { name: zh ? '已受理' : 'Received' })).toBeVisible();
      if (n === 1) await axe(page, 'after the similar hint');
    }
    const [first, second] = receiver.reports().map((r) => r.ticket);
    receiver.setStatus(first, 'resolved', '已处理');
    receiver.setStatus(second, 'rejected', '重复报告');
    receiver.merge(second, first);
    await nav(page, zh ? /我的报告/ : /My reports/).click();
    // By its ticket number alone: the other card names it too ("merged into").
    const card = page.getByRole('article').filter({ has: page.getByText(first, { exact: true }) });
    await card.getByRole('button', { name: zh ? '处理记录' : 'History' }).click();
    await card.getByRole('button', { name: zh ? '不满意' : 'Not satisfied' }).click();
    await card.getByLabel(zh ? '您的意见（选填）' : 'Your comment (optional)').fill('又'.repeat(501));
    await card.getByRole('button', { name: zh ? '提交评价' : 'Send feedback' }).click();
    await expect(card.getByLabel(zh ? '您的意见（选填）' : 'Your comment (optional)')).toHaveAttribute('aria-invalid', 'true');
    await axe(page, 'my reports: history, merged, comment error');
    await card.getByLabel(zh ? '您的意见（选填）' : 'Your comment (optional)').fill('没有处理');
    await card.getByRole('button', { name: zh ? '提交评价' : 'Send feedback' }).click();
    await expect(card.getByText(zh ? '重办' : 'Reopened', { exact: true })).toBeVisible();
    await axe(page, 'my reports: reopened');
  });
}

test('keyboard only: a resident files a report without touching the screen', async ({ page, serve, receiver }) => {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  const focusOn = async (matches, limit = 60) => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(matches)) return;
    }
    throw new Error('could not reach ' + matches);
  };
  await focusOn(() => document.activeElement.textContent === '我要报告');
  await page.keyboard.press('Enter');
  await focusOn(() => document.activeElement.id === 'xj-category');
  await page.keyboard.press('ArrowDown'); // on a closed <select>, arrows change the value
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByLabel('隐患类型')).not.toHaveValue('');
  await focusOn(() => document.activeElement.id === 'xj-community');
  await page.keyboard.press('ArrowDown');
  await focusOn(() => document.activeElement.id === 'xj-building');
  await page.keyboard.type('7号楼');
  await focusOn(() => document.activeElement.id === 'xj-description');
  await page.keyboard.type('楼道里有人私拉电线');
  await focusOn(() => document.activeElement.type === 'submit');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  expect(outline).not.toBe('none'); // focus is visible
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()[0].body.location.building).toBe('7号楼');
});

for (const [width, height] of [[320, 568], [360, 640], [375, 667]]) {
  test(`${width}×${height}: no horizontal scroll and touch targets of at least 44 px on every screen`, async ({ page, serve }) => {
    await page.setViewportSize({ width, height });
    await page.goto(await serve());
    await ready(page);
    const check = async (screen) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${screen}: horizontal overflow`).toBeLessThanOrEqual(0);
      const small = await page.evaluate(() => [...document.querySelectorAll('.xj-app button, .xj-app a, .xj-app select, .xj-app input:not([type=checkbox]):not([type=file]), .xj-app textarea, .xj-app label.xj-check, .xj-app label.xj-photo-add')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.textContent.trim().slice(0, 20) || el.id, el.getBoundingClientRect()])
        .filter(([, r]) => r.height < 44 || r.width < 44)
        .map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`));
      expect(small, `${screen}: small touch targets`).toEqual([]);
    };
    for (const large of [false, true]) {
      await check('campaigns');
      await page.getByRole('button', { name: '查看详情' }).first().click();
      await check('detail');
      await nav(page, '我要报告').click();
      await page.getByRole('checkbox', { name: /我同意/ }).check();
      await check('form');
      await nav(page, /我的报告/).click();
      await check('my reports');
      await nav(page, '安全提示').click();
      if (!large) await page.getByRole('button', { name: '长辈模式' }).click();
    }
  });
}

test('prefers-reduced-motion is respected (no transitions or animations)', async ({ page, serve }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(await serve());
  await ready(page);
  const moving = await page.evaluate(() => [...document.querySelectorAll('.xj-app *')].filter((el) => {
    const s = getComputedStyle(el);
    return parseFloat(s.transitionDuration) > 0 || s.animationName !== 'none';
  }).length);
  expect(moving).toBe(0);
});

for (const [name, scheme, primary] of [['dark mode', 'dark', undefined], ['a bright deployer colour (WeChat green)', 'light', '#07c160']]) {
  test(`contrast and the rest of axe hold in ${name}`, async ({ page, serve, receiver }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const config = { endpoint: receiver.endpoint, ...(primary ? { theme: { primary } } : {}) };
    await page.goto(await serve({ config }));
    await ready(page);
    await axe(page, `${name}: campaigns`);
    await nav(page, '我要报告').click();
    await page.getByRole('button', { name: '提交报告' }).click();
    await axe(page, `${name}: form with errors`);
    await page.getByLabel('隐患类型').selectOption({ label: '正在起火、冒烟或有危险' });
    await axe(page, `${name}: danger card`);
  });
}
