// The fake robots' own tests (node --test): they record bodies and judge DingTalk
// signatures as DingTalk does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRobots, dingtalkSign } from './robots.mjs';

let robots;
before(async () => { robots = await startRobots({ dingtalkSecret: 'SECtest' }); });
after(() => robots.stop());

const post = (url, body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

test('the WeCom robot records the JSON body and answers errcode 0', async () => {
  const answer = await post(robots.wecom.url, { msgtype: 'markdown', markdown: { content: '**XJ-1**' } });
  assert.deepEqual(await answer.json(), { errcode: 0, errmsg: 'ok' });
  const [message] = await robots.wecom.waitFor(1);
  assert.equal(message.body.markdown.content, '**XJ-1**');
});

test('the DingTalk robot accepts a correct signature and refuses a wrong or stale one', async () => {
  const ts = Date.now();
  const signed = (t, sign) => `${robots.dingtalk.url}&timestamp=${t}&sign=${encodeURIComponent(sign)}`;
  const good = await post(signed(ts, dingtalkSign(ts, 'SECtest')), { msgtype: 'text', text: { content: 'hi' } });
  assert.equal((await good.json()).errcode, 0);
  const bad = await post(signed(ts, dingtalkSign(ts, 'SECother')), {});
  assert.equal((await bad.json()).errcode, 310000);
  const stale = await post(signed(ts - 2 * 3600e3, dingtalkSign(ts - 2 * 3600e3, 'SECtest')), {});
  assert.equal((await stale.json()).errcode, 310000);
  await robots.dingtalk.waitFor(3);
  assert.deepEqual(robots.dingtalk.messages.map((m) => m.signatureOk), [true, false, false]);
  assert.equal(robots.env.DESK_NOTIFY_DINGTALK_SECRET, 'SECtest');
});
