import { test, expect, ready, fillReport, jpegWithGps, jpegSegments, shippedConfig } from './fixtures.mjs';
import { startReceiver } from './receiver.mjs';
import { validators, describeErrors } from './contract.mjs';

test('a full report reaches the receiver with every field, the key equal to the id, and a photo without EXIF', async ({ page, serve, receiver }) => {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  const photo = await jpegWithGps(page, 2400, 1800);
  expect(jpegSegments(photo)).toContain(0xe1); // the fixture really carries EXIF/GPS
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page);
  await page.getByLabel('楼层或具体位置').fill('3楼楼道');
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'gps.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByRole('checkbox', { name: /我同意把称呼和手机号提供给/ }).check();
  await page.getByLabel('称呼（选填）').fill('王阿姨');
  await page.getByLabel('手机号', { exact: true }).fill('+86 139 1234 5678');
  await page.getByRole('button', { name: '提交报告' }).click();

  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const [report] = receiver.reports();
  await expect(page.getByText(report.ticket, { exact: true })).toBeVisible();
  const body = report.body;
  const { report: fitsContract } = validators();
  expect(fitsContract(body), describeErrors(fitsContract)).toBe(true);
  expect(report.key).toBe(body.id);
  expect(body).toMatchObject({
    schema: 'xinjing.report/1',
    category: 'ebike_in_stairwell',
    location: { community: shippedConfig().communities[0], building: '2号楼1单元', detail: '3楼楼道' },
    description: '3 楼楼道停着一辆电动车在充电',
    contact: { name: '王阿姨', phone: '13912345678' },
    consent: { contact: true, notice_version: shippedConfig().privacy.notice_version },
    locale: 'zh-CN',
  });
  expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  expect(body.client.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(body.photos).toHaveLength(1);
  const sent = Buffer.from(body.photos[0].data, 'base64');
  expect(body.photos[0]).toMatchObject({ mime: 'image/jpeg', width: 1600, height: 1200 });
  expect(sent.length).toBeLessThanOrEqual(400 * 1024);
  expect(jpegSegments(sent)).not.toContain(0xe1);
  expect(sent.includes(Buffer.from('Exif'))).toBe(false);
});

test('anonymous by default: no contact leaves the phone without the consent box', async ({ page, serve, receiver }) => {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByLabel('手机号', { exact: true })).toHaveCount(0);
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()[0].body).toMatchObject({ contact: null, consent: { contact: false } });
});

test('HTML in the description is shown as text and never runs', async ({ page, serve, receiver }) => {
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  const html = '<img src=x onerror="window.__pwned=1"><b>楼道堆满纸箱</b>';
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page, { description: html });
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await page.getByRole('button', { name: '我的报告' }).first().click();
  await expect(page.getByText('<img src=x onerror=', { exact: false })).toBeVisible();
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(await page.locator('.xj-app b').count()).toBe(0);
  expect(receiver.reports()[0].body.description).toBe(html);
});

test('an ?endpoint= in the page URL is ignored', async ({ page, serve, receiver }) => {
  const thief = await startReceiver();
  try {
    const url = await serve({ config: { endpoint: receiver.endpoint } });
    await page.goto(`${url}?endpoint=${encodeURIComponent(thief.endpoint)}&community=${encodeURIComponent(shippedConfig().communities[1])}&building=5号楼`);
    await ready(page);
    await page.getByRole('button', { name: '我要报告' }).click();
    // The QR-code prefill works…
    await expect(page.getByLabel('居民区', { exact: true })).toHaveValue(shippedConfig().communities[1]);
    await expect(page.getByLabel('楼号 / 单元')).toHaveValue('5号楼');
    await page.getByLabel('隐患类型').selectOption('blocked_fire_escape');
    await page.getByLabel('情况描述').fill('消防通道被车堵住了');
    await page.getByRole('button', { name: '提交报告' }).click();
    await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
    // …but reports only go to the configured endpoint.
    expect(receiver.reports()).toHaveLength(1);
    expect(thief.state.requests).toHaveLength(0);
  } finally {
    await thief.close();
  }
});

test('a 400 shows the server message and keeps the form as typed', async ({ page, serve, receiver }) => {
  receiver.fail(400, 1, { message: '请补充具体楼层' });
  await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await fillReport(page);
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '请补充具体楼层' })).toBeVisible();
  await expect(page.getByLabel('情况描述')).toHaveValue('3 楼楼道停着一辆电动车在充电');
  await expect(page.getByLabel('楼号 / 单元')).toHaveValue('2号楼1单元');
  await page.getByLabel('楼层或具体位置').fill('5楼');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  expect(receiver.reports()).toHaveLength(1);
  expect(receiver.reports()[0].body.location.detail).toBe('5楼');
});

test('errors appear next to the fields, focus moves to the first, typed text stays (English)', async ({ page, serve, receiver }) => {
  await page.goto((await serve({ config: { endpoint: receiver.endpoint } })) + '?lang=en');
  await ready(page);
  await page.getByRole('button', { name: 'Report', exact: true }).click();
  await page.getByLabel('What did you see?').fill('abc');
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByLabel('Type of hazard')).toBeFocused();
  await expect(page.getByLabel('Type of hazard')).toHaveAccessibleDescription('Please choose the type of hazard');
  await expect(page.getByLabel('What did you see?')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Please write at least 5 characters about what you saw')).toBeVisible();
  await expect(page.getByLabel('What did you see?')).toHaveValue('abc');
  await page.getByRole('checkbox', { name: /I agree to give my name/ }).check();
  await page.getByLabel('Mobile number', { exact: true }).fill('12345');
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByText('Enter an 11-digit mainland China mobile number')).toBeVisible();
  expect(receiver.state.attempts).toHaveLength(0);
});

test('"fire, smoke or danger now" shows the call card instead of the form', async ({ page, serve }) => {
  await page.goto(await serve());
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await page.getByLabel('隐患类型').selectOption({ label: '正在起火、冒烟或有危险' });
  const card = page.getByRole('alert').filter({ hasText: '请立即打电话' });
  await expect(card.getByRole('link', { name: '火警 119' })).toHaveAttribute('href', 'tel:119');
  await expect(card.getByRole('link', { name: '报警 110' })).toHaveAttribute('href', 'tel:110');
  await expect(page.getByLabel('情况描述')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '提交报告' })).toHaveCount(0);
});

test('a photo that cannot be decoded gets a message on its slot; the others stay', async ({ page, serve }) => {
  await page.goto(await serve());
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'ok.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 300, 200) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByLabel('添加照片 2').setInputFiles({ name: 'x.heic', mimeType: 'image/heic', buffer: Buffer.from('not really an image') });
  await expect(page.getByText('这张照片无法读取')).toBeVisible();
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
});

// Photos are prepared in a worker where the browser can; older WebViews (no OffscreenCanvas)
// do the same steps on the page. Both must give the resident the same result.
for (const [where, olderWebView] of [['in the photo worker', false], ['on the page, as in WebViews without OffscreenCanvas', true]]) {
  test(`a 12-megapixel photo taken upright is prepared ${where}: turned, 1600 px, ≤ 400 KB, no EXIF`, async ({ page, serve, receiver }) => {
    if (olderWebView) await page.addInitScript(() => { delete window.OffscreenCanvas; });
    const workerRequests = [];
    page.on('request', (r) => { if (/\/photo-worker-[0-9a-f]{16}\.js$/.test(r.url())) workerRequests.push(r.url()); });
    await page.goto(await serve({ config: { endpoint: receiver.endpoint } }));
    await ready(page);
    // Stored 4000×3000 with orientation 6: the resident sees (and sends) it 3000×4000.
    const photo = await jpegWithGps(page, 4000, 3000, 6);
    await page.getByRole('button', { name: '我要报告' }).click();
    await fillReport(page);
    await page.getByLabel('添加照片 1').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo });
    const preview = page.getByRole('img', { name: '照片 1' });
    await expect(preview).toBeVisible({ timeout: 20_000 });
    const shown = await preview.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    expect(shown).toEqual([1200, 1600]);
    await page.getByRole('button', { name: '提交报告' }).click();
    await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
    const [sentPhoto] = receiver.reports()[0].body.photos;
    expect(sentPhoto).toMatchObject({ mime: 'image/jpeg', width: 1200, height: 1600 });
    const bytes = Buffer.from(sentPhoto.data, 'base64');
    expect(bytes.length).toBeLessThanOrEqual(400 * 1024);
    expect(jpegSegments(bytes)).not.toContain(0xe1);
    expect(bytes.includes(Buffer.from('Exif'))).toBe(false);
    expect(workerRequests.length > 0).toBe(!olderWebView);
  });
}
