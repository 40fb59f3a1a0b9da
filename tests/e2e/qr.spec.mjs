// Scan, type, send: the static page's report form takes typing before the app (wasm) has
// arrived, and the app takes over everything typed, chosen and ticked, with the focus and
// the caret; "send" before the app is there goes once, through the app's outbox.
import { test, expect, shippedConfig } from './fixtures.mjs';

// The wasm request waits until release() is called (or fails, with fail()).
async function holdWasm(page) {
  let settle;
  const settled = new Promise((resolve) => { settle = resolve; });
  let asked = false;
  await page.route('**/*.wasm', async (route) => {
    asked = true;
    if ((await settled) === 'fail') await route.abort('internetdisconnected');
    else await route.continue();
  });
  return { release: () => settle('go'), fail: () => settle('fail'), asked: () => asked };
}

const TEXT = {
  zh: {
    query: '', category: '隐患类型', area: '居民区', building: '楼号 / 单元', spot: '楼层或具体位置',
    description: '情况描述', consent: /我同意把称呼和手机号/, name: '称呼（选填）', phone: '手机号',
    send: '提交报告', preparing: /正在准备提交/, failed: /报告表单未能打开/, photo: /添加照片 1（准备中…）/, addPhoto: '添加照片 1',
    received: '已受理', tab: '我要报告', saying: '4 楼楼道有人飞线给电动车充电',
  },
  en: {
    query: '&lang=en', category: 'Type of hazard', area: 'Residential area', building: 'Building / entrance',
    spot: 'Floor or exact spot', description: 'What did you see?', consent: /I agree to give my name/,
    name: 'Name (optional)', phone: 'Mobile number', send: 'Send report', preparing: /Preparing to send/,
    failed: /The report form could not open/, photo: /Add photo 1 \(getting ready…\)/, addPhoto: 'Add photo 1', received: 'Received',
    tab: 'Report', saying: 'Someone charges an e-bike by a cable from the 4th floor',
  },
};

const qrLink = (url, lang) => `${url}?community=${encodeURIComponent(shippedConfig().communities[1])}&building=5号楼${TEXT[lang].query}`;

/** Fills the whole form as a resident would, through the labels they read. */
async function fillAll(page, t) {
  await page.getByLabel(t.category).selectOption('flying_line_charging');
  await page.getByLabel(t.spot).fill('4楼楼道');
  await page.getByLabel(t.description).fill(t.saying);
  await page.getByLabel(t.consent).check();
  await page.getByLabel(t.name, { exact: true }).fill('王女士');
  await page.getByLabel(t.phone, { exact: true }).fill('13912345678');
}

for (const lang of ['zh', 'en']) {
  const t = TEXT[lang];

  test(`a QR link shows the form at once; what is typed before the app arrives stays, focus and caret too (${lang})`, async ({ page, serve }) => {
    const wasm = await holdWasm(page);
    await page.goto(qrLink(await serve(), lang));
    // The static form, with the link's place filled in, before any wasm.
    await expect(page.getByLabel(t.area, { exact: true })).toHaveValue(shippedConfig().communities[1]);
    await expect(page.getByLabel(t.building)).toHaveValue('5号楼');
    await expect(page.getByRole('button', { name: t.photo })).toBeDisabled();
    await fillAll(page, t);
    // The resident is in the middle of the description, caret after the 6th character.
    await page.getByLabel(t.description).focus();
    await page.getByLabel(t.description).evaluate((el) => el.setSelectionRange(6, 6));
    expect(wasm.asked()).toBe(true);
    expect(await page.locator('#xj-app form').count()).toBe(0);

    wasm.release();
    await expect(page.locator('#xj-static')).toHaveCount(0);
    await expect(page.locator('#xj-app')).toBeVisible();
    // The app's own fields hold everything.
    await expect(page.getByLabel(t.category)).toHaveValue('flying_line_charging');
    await expect(page.getByLabel(t.area, { exact: true })).toHaveValue(shippedConfig().communities[1]);
    await expect(page.getByLabel(t.building)).toHaveValue('5号楼');
    await expect(page.getByLabel(t.spot)).toHaveValue('4楼楼道');
    await expect(page.getByLabel(t.description)).toHaveValue(t.saying);
    await expect(page.getByLabel(t.consent)).toBeChecked();
    await expect(page.getByLabel(t.name, { exact: true })).toHaveValue('王女士');
    await expect(page.getByLabel(t.phone, { exact: true })).toHaveValue('13912345678');
    await expect(page.getByLabel(t.description)).toBeFocused();
    expect(await page.getByLabel(t.description).evaluate((el) => [el.selectionStart, el.selectionEnd])).toEqual([6, 6]);
    // The photo picker is the app's now.
    await expect(page.getByLabel(t.addPhoto)).toBeEnabled();
    // Typing goes on where it was.
    await page.keyboard.type('!');
    await expect(page.getByLabel(t.description)).toHaveValue(t.saying.slice(0, 6) + '!' + t.saying.slice(6));
  });

  test(`"send" before the app is ready says so, keeps everything, and exactly one report arrives (${lang})`, async ({ page, serve, receiver }) => {
    const wasm = await holdWasm(page);
    await page.goto(qrLink(await serve({ config: { endpoint: receiver.endpoint } }), lang));
    await fillAll(page, t);
    await page.getByRole('button', { name: t.send }).click();
    await expect(page.getByText(t.preparing)).toBeVisible();
    await expect(page.getByLabel(t.description)).toHaveValue(t.saying);
    // Pressed again while waiting: still one report.
    await page.getByRole('button', { name: t.send }).click();
    expect(receiver.reports()).toHaveLength(0);

    wasm.release();
    await expect(page.getByRole('heading', { name: t.received })).toBeVisible();
    await expect(page.locator('.xj-ticket')).toHaveText(/XJ-\d{8}-\d{4}/);
    expect(receiver.reports()).toHaveLength(1);
    const [report] = receiver.reports();
    expect(report.body.description).toBe(t.saying);
    expect(report.body.category).toBe('flying_line_charging');
    expect(report.body.location).toEqual({ community: shippedConfig().communities[1], building: '5号楼', detail: '4楼楼道' });
    expect(report.body.contact).toEqual({ name: '王女士', phone: '13912345678' });
  });
}

test('the app cannot load: the words stay with a clear message, and a later "send" goes once', async ({ page, serve, receiver }) => {
  const t = TEXT.zh;
  const wasm = await holdWasm(page);
  await page.goto(qrLink(await serve({ config: { endpoint: receiver.endpoint } }), 'zh'));
  await fillAll(page, t);
  await page.getByRole('button', { name: t.send }).click();
  wasm.fail();
  await expect(page.getByRole('alert').filter({ hasText: t.failed })).toBeVisible();
  await expect(page.getByText(t.preparing)).toBeHidden();
  await expect(page.getByLabel(t.description)).toHaveValue(t.saying);
  await expect(page.getByLabel(t.phone, { exact: true })).toHaveValue('13912345678');
  expect(receiver.reports()).toHaveLength(0);

  // The signal is back: "send" again.
  await page.unroute('**/*.wasm');
  await page.getByRole('button', { name: t.send }).click();
  await expect(page.getByRole('heading', { name: t.received })).toBeVisible();
  expect(receiver.reports()).toHaveLength(1);
});

test('the report tab shows the static form at once, and the campaigns tab goes back', async ({ page, serve }) => {
  await page.addInitScript(() => { window.requestIdleCallback = () => 0; });
  const wasm = await holdWasm(page);
  await page.goto(await serve());
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByRole('heading', { name: '报告安全隐患' })).toBeFocused();
  await page.getByLabel('情况描述').fill('楼道里堆满了纸箱');
  await page.getByRole('navigation').getByRole('button', { name: '安全提示' }).click();
  await expect(page.getByRole('heading', { name: '当前安全整治' })).toBeVisible();
  await page.getByRole('navigation').getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByLabel('情况描述')).toHaveValue('楼道里堆满了纸箱');
  wasm.release();
  await expect(page.locator('#xj-static')).toHaveCount(0);
  await expect(page.getByLabel('情况描述')).toHaveValue('楼道里堆满了纸箱');
});

for (const lang of ['zh', 'en']) {
  test(`the app takes the static form's place without moving anything (${lang})`, async ({ page, serve }) => {
    const t = TEXT[lang];
    await page.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__shifts.push(e.value); })
        .observe({ type: 'layout-shift', buffered: true });
    });
    const wasm = await holdWasm(page);
    await page.goto(qrLink(await serve(), lang));
    const boxes = async () => Promise.all([t.category, t.description, t.phone].map(async (label) => {
      const field = label === t.phone ? page.getByLabel(t.consent) : page.getByLabel(label, { exact: true });
      return field.boundingBox();
    }).concat([page.getByRole('button', { name: t.send }).boundingBox()]));
    await expect(page.getByLabel(t.building)).toHaveValue('5号楼');
    const before = await boxes();
    const shiftsBefore = await page.evaluate(() => window.__shifts.length);
    wasm.release();
    await expect(page.locator('#xj-static')).toHaveCount(0);
    await expect(page.locator('#xj-app')).toBeVisible();
    expect(await boxes()).toEqual(before);
    expect(await page.evaluate((n) => window.__shifts.slice(n), shiftsBefore)).toEqual([]);
  });
}

test('words typed in the static form, then "my reports" before the app: that screen opens, and the words and contact wait in the form', async ({ page, serve }) => {
  await page.addInitScript(() => { window.requestIdleCallback = () => 0; });
  const wasm = await holdWasm(page);
  await page.goto(await serve());
  const nav = page.getByRole('navigation');
  await nav.getByRole('button', { name: '我要报告' }).click();
  await page.getByLabel('情况描述').fill('地下车库入口堆了很多杂物');
  await page.getByLabel(TEXT.zh.consent).check();
  await page.getByLabel(TEXT.zh.phone, { exact: true }).fill('13912345678');
  await nav.getByRole('button', { name: '我的报告' }).click();
  wasm.release();
  await expect(page.getByRole('heading', { name: '已受理的报告' })).toBeVisible();
  await expect(page.locator('#xj-static')).toHaveCount(0);
  await nav.getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByLabel('情况描述')).toHaveValue('地下车库入口堆了很多杂物');
  await expect(page.getByLabel(TEXT.zh.consent)).toBeChecked();
  await expect(page.getByLabel(TEXT.zh.phone, { exact: true })).toHaveValue('13912345678');
});
