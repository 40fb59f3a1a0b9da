// The offline demo: mock backend only; the fixture fails the test on any request that
// leaves 127.0.0.1, so this also proves nothing is fetched from elsewhere.
import { test, expect, ready, jpegWithGps } from './fixtures.mjs';

const nav = (page, name) => page.getByRole('navigation').getByRole('button', { name });

test('the whole story in mock mode: campaign → report with photo → ticket → status → feedback → committee view', async ({ page, serve, offHost }) => {
  await page.clock.install();
  await page.goto(await serve());
  await ready(page);
  await expect(page.getByRole('heading', { name: '演示控制（模拟后台）' })).toBeVisible();

  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: '电动车不进楼道' }) });
  await card.getByRole('button', { name: '报告此类隐患' }).click();
  await expect(page.getByLabel('隐患类型')).toHaveValue('ebike_in_stairwell');
  await page.getByLabel('居民区', { exact: true }).selectOption({ index: 2 });
  await page.getByLabel('楼号 / 单元').fill('8号楼');
  await page.getByLabel('情况描述').fill('电梯里有人推电动车上楼');
  await page.getByLabel('添加照片 1').setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(page, 800, 600) });
  await expect(page.getByRole('img', { name: '照片 1' })).toBeVisible();
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  const ticket = (await page.locator('.xj-ticket').textContent()).trim();
  expect(ticket).toMatch(/^XJ-\d{8}-0001$/);

  await nav(page, /我的报告/).click();
  await expect(page.getByText('已受理', { exact: true }).first()).toBeVisible();
  await page.clock.fastForward('02:00');
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await expect(page.getByText('处理中')).toBeVisible();
  await page.clock.fastForward('02:00');
  await page.getByRole('button', { name: '刷新处理进度' }).click();
  await expect(page.getByText('已办结')).toBeVisible();
  await page.getByRole('group', { name: '您对处理结果满意吗？' }).getByRole('button', { name: '满意', exact: true }).click();
  await expect(page.getByText('感谢您的评价：满意')).toBeVisible();

  // The presenter shows the outbox at work.
  await page.getByRole('checkbox', { name: '模拟服务器故障' }).check();
  await nav(page, '我要报告').click();
  await page.getByLabel('隐患类型').selectOption('blocked_fire_escape');
  await page.getByLabel('居民区', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('楼层或具体位置').fill('1楼安全出口');
  await page.getByLabel('情况描述').fill('安全出口被自行车堵住');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已保存在本机，尚未发送' })).toBeVisible();
  await expect(nav(page, /我的报告/)).toContainText('1');
  await page.getByRole('checkbox', { name: '模拟服务器故障' }).uncheck();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();

  // …and what the neighbourhood committee receives.
  await page.getByRole('button', { name: '居委会收到的报告' }).click();
  await expect(page.getByRole('heading', { name: '居委会收到的报告' })).toBeVisible();
  await expect(page.getByText(ticket)).toBeVisible();
  await expect(page.getByText('电梯里有人推电动车上楼')).toBeVisible();
  await expect(page.getByText('安全出口被自行车堵住')).toBeVisible();
  await expect(page.getByRole('img', { name: '居民上传的照片 1' })).toBeVisible();
  expect(offHost).toEqual([]);
});

test('the mock backend keeps its tickets across a reload and replays idempotently', async ({ page, serve }) => {
  await page.goto(await serve());
  await ready(page);
  await nav(page, '我要报告').click();
  await page.getByLabel('隐患类型').selectOption('other');
  await page.getByLabel('居民区', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('楼号 / 单元').fill('1号楼');
  await page.getByLabel('情况描述').fill('楼道灯不亮，晚上很黑');
  await page.getByRole('button', { name: '提交报告' }).click();
  await expect(page.getByRole('heading', { name: '已受理' })).toBeVisible();
  await page.reload();
  await ready(page);
  await page.getByRole('button', { name: '居委会收到的报告' }).click();
  await expect(page.getByText('楼道灯不亮，晚上很黑')).toHaveCount(1);
});
