// The desk's campaigns and posters in Chromium (release widget served by the desk, SQLite):
// an admin edits a campaign in the desk and the resident's widget shows it after a reload;
// a poster's QR code, read from a screenshot (jsQR), opens the widget with the place filled
// in; a whole compound prints one A4 page per building.
import { ready, shippedConfig, shippedFeed } from './fixtures.mjs';
import { axe, deskTest, expect, logIn as logInToList } from './desk-fixture.mjs';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const community = shippedConfig().communities[0];
const test = deskTest(() => ({
  widget: true,
  env: { DESK_BUILDINGS: `${community}=1号楼,2号楼` },
  users: [{ name: 'zhang', role: 'admin' }, { name: 'li', role: 'staff', communities: [community] }],
}));

/** Logs in through the login form, then opens `path`. */
async function logIn(page, origin, path, name) {
  await logInToList(page, origin, name);
  await page.goto(origin + path);
}

test('an admin edits a campaign in the desk and the widget shows it after a reload', async ({ page, desk }) => {
  const campaign = shippedFeed().campaigns[0];
  const edited = '电动车一律不进楼道（冬季加强）';
  await page.goto(desk.origin + '/');
  await ready(page);
  await expect(page.getByRole('heading', { name: campaign.title.zh })).toBeVisible();

  const admin = await page.context().newPage();
  await logIn(admin, desk.origin, '/desk/campaigns', 'zhang');
  await admin.getByRole('link', { name: campaign.title.zh }).click();
  // A mistake first: refused beside the field, what was typed kept.
  await admin.getByLabel('标题（中文）', { exact: true }).fill('');
  await admin.getByLabel('优先级').fill('很急');
  await admin.getByRole('button', { name: '保存' }).click();
  await expect(admin.getByRole('alert')).toContainText('未保存');
  await expect(admin.getByLabel('标题（中文）', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.getByLabel('优先级')).toHaveValue('很急');
  // Then right.
  await admin.getByLabel('标题（中文）', { exact: true }).fill(edited);
  await admin.getByLabel('优先级').fill('9');
  await admin.getByRole('button', { name: '保存' }).click();
  await expect(admin.getByRole('status')).toContainText('已保存');
  await expect(admin.getByRole('link', { name: edited })).toBeVisible();
  expect(desk.sql("SELECT actor, action, detail FROM audit_log WHERE action LIKE 'campaign_%'"))
    .toEqual([{ actor: 'zhang', action: 'campaign_edit', detail: campaign.id }]);

  // A new campaign, in the editor in English.
  await admin.goto(desk.origin + '/desk/campaigns/new?lang=en');
  await admin.getByLabel('Id', { exact: true }).fill('winter-heaters');
  await admin.getByLabel('Title (Chinese)').fill('取暖器远离可燃物');
  await admin.getByLabel('Title (English)').fill('Keep heaters clear');
  await admin.getByLabel(/^Summary .* \(Chinese\)$/).fill('取暖器一米内不放衣物、纸箱。');
  await admin.getByLabel('The rule (Chinese)').fill('取暖器不靠近窗帘和被褥。');
  await admin.getByLabel('Why it matters (Chinese)').fill('冬季火灾多由取暖引起。');
  await admin.getByLabel('What to do instead (Chinese)').fill('人走断电。');
  await admin.getByRole('checkbox', { name: 'Other hazard' }).check();
  await admin.getByLabel('End date').fill('2099-12-31');
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByRole('status')).toContainText('Saved');

  // The resident reloads: the new campaign is there, the edited one reads as edited.
  await page.bringToFront();
  await page.reload();
  await ready(page);
  await expect(page.getByRole('heading', { name: '取暖器远离可燃物' })).toBeVisible();
  await page.getByRole('listitem').filter({ has: page.getByRole('button', { name: '报告此类隐患' }) }).first()
    .getByRole('button', { name: '查看详情' }).click();
  await expect(page.getByRole('heading', { level: 2, name: edited })).toBeVisible();

  // Ending the new one takes it off the resident's screen.
  await admin.goto(desk.origin + '/desk/campaigns?lang=en');
  await admin.getByRole('button', { name: 'End Keep heaters clear' }).click();
  await expect(admin.getByRole('row', { name: /winter-heaters/ })).toContainText('Ended');
  await page.goto(desk.origin + '/');
  await ready(page);
  await expect(page.getByRole('heading', { name: shippedFeed().campaigns[1].title.zh })).toBeVisible();
  await expect(page.getByRole('heading', { name: '取暖器远离可燃物' })).toHaveCount(0);
});

test('a campaign ended in the desk is gone from the desk\'s first paint, with and without WebAssembly', async ({ page, desk }) => {
  const [ended, kept] = shippedFeed().campaigns;
  const card = (id) => page.locator(`#xj-static [data-campaign="${id}"]`);
  // Without WebAssembly (its download refused): the static page is all there is.
  await page.route('**/*.wasm', (route) => route.abort('blockedbyclient'));
  await page.goto(desk.origin + '/');
  await expect(card(ended.id)).toHaveCount(1);

  const admin = await page.context().newPage();
  await logIn(admin, desk.origin, '/desk/campaigns?lang=en', 'zhang');
  await admin.getByRole('button', { name: `End ${ended.title.en}` }).click();
  await expect(admin.getByRole('row', { name: new RegExp(ended.id) })).toContainText('Ended');

  await page.bringToFront();
  await page.goto(desk.origin + '/');
  await expect(card(kept.id)).toHaveCount(1);
  await expect(card(ended.id)).toHaveCount(0);
  // With WebAssembly: the first paint and then the app agree.
  await page.unroute('**/*.wasm');
  await page.goto(desk.origin + '/');
  await expect(card(ended.id)).toHaveCount(0);
  await ready(page);
  await expect(page.getByRole('heading', { name: kept.title.zh })).toBeVisible();
  await expect(page.getByRole('heading', { name: ended.title.zh })).toHaveCount(0);
});

// The cards are keyed by campaign id; each card follows its campaign through a memo, so a
// fetched feed that edits a campaign under the same id shows on the card (this failed before).
test('the campaign card itself shows an edited title after a reload', async ({ page, desk }) => {
  const campaign = shippedFeed().campaigns[0];
  const admin = await page.context().newPage();
  await logIn(admin, desk.origin, `/desk/campaigns/${campaign.id}`, 'zhang');
  await admin.getByLabel('标题（中文）', { exact: true }).fill('电动车一律不进楼道（冬季加强）');
  await admin.getByRole('button', { name: '保存' }).click();
  await expect(admin.getByRole('status')).toContainText('已保存');
  await page.bringToFront();
  await page.goto(desk.origin + '/');
  await ready(page);
  await expect(page.getByRole('heading', { level: 3, name: '电动车一律不进楼道（冬季加强）' })).toBeVisible({ timeout: 5_000 });
});

test("a poster's QR code opens the widget with the compound and building filled in", async ({ page, desk }, testInfo) => {
  await logIn(page, desk.origin, '/desk/posters', 'li');
  await expect(page.getByRole('heading', { name: community })).toBeVisible();
  await page.getByRole('link', { name: '2号楼', exact: true }).click();
  await expect(page.getByText('发现安全隐患？扫码随手报')).toBeVisible();
  await expect(page.getByText(shippedFeed().campaigns[0].title.zh)).toBeVisible();

  // Read the code as a phone's camera would: from the pixels on screen.
  const shot = await page.getByRole('img', { name: /^二维码/ }).screenshot({ path: testInfo.outputPath('qr.png') });
  const png = PNG.sync.read(shot);
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(code, 'the QR code is readable').not.toBeNull();
  const url = new URL(code.data);
  expect(url.origin).toBe(desk.origin);
  expect(url.searchParams.get('community')).toBe(community);
  expect(url.searchParams.get('building')).toBe('2号楼');

  // The scan opens the report form with the place filled in.
  await page.goto(code.data);
  await ready(page);
  await page.getByRole('button', { name: '我要报告' }).click();
  await expect(page.getByLabel('居民区', { exact: true })).toHaveValue(community);
  await expect(page.getByLabel('楼号 / 单元')).toHaveValue('2号楼');

  // The whole compound prints as one A4 page per building.
  await page.goto(desk.origin + '/desk/posters');
  await page.getByRole('link', { name: /打印整个小区/ }).click();
  await expect(page.locator('section.sheet')).toHaveCount(2);
  const pdf = (await page.pdf({ preferCSSPageSize: true })).toString('latin1');
  expect(pdf.match(/\/Type\s*\/Page\b/g)).toHaveLength(2);
  // A4 is 595.28 × 841.89 points; Chromium rounds to its own units.
  const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  expect(boxes).toHaveLength(2);
  for (const [width, height] of boxes) {
    expect(Math.abs(width - 595.28)).toBeLessThan(1);
    expect(Math.abs(height - 841.89)).toBeLessThan(1);
  }
});

test('the campaign editor and the posters are axe-clean in Chinese and English', async ({ page, desk }) => {
  const campaign = shippedFeed().campaigns[0];
  await logIn(page, desk.origin, '/desk/campaigns', 'zhang');
  await axe(page, 'campaigns (zh)');
  await page.goto(`${desk.origin}/desk/campaigns/${campaign.id}`);
  await page.getByLabel('开始日期').fill('2026-13-01');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await axe(page, 'campaign with a problem (zh)');
  await page.goto(`${desk.origin}/desk/campaigns/new?lang=en`);
  await axe(page, 'new campaign (en)');
  await page.goto(`${desk.origin}/desk/posters`);
  await axe(page, 'posters (en)');
  await page.goto(`${desk.origin}/desk/posters?lang=zh`);
  await axe(page, 'posters (zh)');
  await page.getByRole('link', { name: '1号楼', exact: true }).click();
  await expect(page.getByRole('img', { name: /^二维码/ })).toBeVisible();
  await axe(page, 'poster (zh)');
  await page.goto(page.url() + '&lang=en');
  await expect(page.getByText('See a fire hazard? Scan and report it')).toBeVisible();
  await axe(page, 'poster (en)');
});
