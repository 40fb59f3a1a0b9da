// Fake WeCom (企业微信) and DingTalk (钉钉) group robots for the full-loop test, with no
// dependencies beyond Node's standard library. Each records the JSON bodies it receives and
// answers as the platform does ({"errcode":0,"errmsg":"ok"}). The DingTalk robot checks the
// signature the way DingTalk does for a robot with 加签:
//   sign = base64(HMAC-SHA256(key = secret, "{timestamp}\n{secret}")), URL-encoded in the
//   query as &timestamp=…&sign=…, the timestamp in ms and within an hour of now;
// a wrong one is recorded with `signatureOk: false` and answered errcode 310000, as DingTalk
// does.
//
//   const robots = await startRobots({ dingtalkSecret: 'SEC…' });
//   start the desk with robots.env (DESK_NOTIFY_WECOM_URL, DESK_NOTIFY_DINGTALK_URL/_SECRET)
//   await robots.wecom.waitFor(1); robots.wecom.messages[0].body.markdown.content …
//   await robots.stop();
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export function dingtalkSign(timestampMs, secret) {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

function verifyDingtalk(url, secret, now = Date.now()) {
  const timestamp = url.searchParams.get('timestamp');
  const sign = url.searchParams.get('sign'); // URLSearchParams decodes %2B %2F %3D
  if (!timestamp || !sign) return { ok: false, reason: 'timestamp or sign missing' };
  if (!/^\d{13}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > 3600e3) {
    return { ok: false, reason: `timestamp ${timestamp} not within an hour` };
  }
  const expected = Buffer.from(dingtalkSign(timestamp, secret));
  const given = Buffer.from(sign);
  const ok = expected.length === given.length && timingSafeEqual(expected, given);
  return ok ? { ok } : { ok, reason: 'sign does not match' };
}

function startRobot({ kind, path, check }) {
  const messages = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://robot');
      const text = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try { body = JSON.parse(text); } catch { /* recorded as null: the test will say so */ }
      const verdict = check ? check(url) : { ok: true };
      messages.push({ body, text, query: url.search, headers: req.headers, signatureOk: verdict.ok, reason: verdict.reason, at: Date.now() });
      for (const w of waiters.splice(0)) w();
      const answer = verdict.ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({
      kind,
      url: `http://127.0.0.1:${port}${path}`,
      messages,
      /** Resolves once `count` messages have arrived (rejects after `timeout` ms). */
      waitFor(count, timeout = 15000) {
        return new Promise((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`${kind}: ${messages.length} of ${count} messages after ${timeout} ms`)), timeout);
          const check = () => (messages.length >= count ? (clearTimeout(timer), ok(messages)) : waiters.push(check));
          check();
        });
      },
      close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
    });
  }));
}

/** Starts both robots on 127.0.0.1:0. */
export async function startRobots({ dingtalkSecret = 'SEC-e2e-dingtalk-secret', wecomKey = 'e2e-wecom-key', dingtalkToken = 'e2e-ding-token' } = {}) {
  const wecom = await startRobot({ kind: 'wecom', path: `/cgi-bin/webhook/send?key=${wecomKey}` });
  const dingtalk = await startRobot({
    kind: 'dingtalk',
    path: `/robot/send?access_token=${dingtalkToken}`,
    check: (url) => (url.searchParams.get('access_token') === dingtalkToken ? verifyDingtalk(url, dingtalkSecret) : { ok: false, reason: 'wrong access_token' }),
  });
  return {
    wecom,
    dingtalk,
    dingtalkSecret,
    /** The desk's environment for these two channels. */
    env: {
      DESK_NOTIFY_WECOM_URL: wecom.url,
      DESK_NOTIFY_DINGTALK_URL: dingtalk.url,
      DESK_NOTIFY_DINGTALK_SECRET: dingtalkSecret,
      DESK_NOTIFY_POLL_MS: '200',
    },
    stop: () => Promise.all([wecom.close(), dingtalk.close()]),
  };
}
