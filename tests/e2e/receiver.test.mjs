// The reference receiver's own contract tests (node --test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startReceiver } from './receiver.mjs';

let receiver;
before(async () => { receiver = await startReceiver({ allowedOrigins: ['https://h5.example.cn'] }); });
after(() => receiver.close());

function report(id, description = '楼道里停着电动车在充电') {
  return {
    schema: 'xinjing.report/1', id, created_at: '2026-11-30T10:00:00+08:00', category: 'ebike_in_stairwell',
    location: { community: '示例一村（演示）', building: '2号楼', detail: '' }, description, photos: [],
    contact: null, consent: { contact: false, notice_version: '1' }, locale: 'zh-CN', client: { version: 'test' },
  };
}

const post = (body, key, headers = {}) => fetch(receiver.endpoint, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}), ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

test('a report gets a ticket; the same key and body replay the first answer', async () => {
  const id = randomUUID();
  const first = await post(report(id), id);
  assert.equal(first.status, 201);
  const { ticket } = await first.json();
  assert.match(ticket, /^XJ-\d{8}-\d{4}$/);
  const again = await post(report(id), id);
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal((await again.json()).ticket, ticket);
  assert.equal(receiver.reports().filter((r) => r.key === id).length, 1);
});

test('the same key with a different body is refused with 422', async () => {
  const id = randomUUID();
  assert.equal((await post(report(id), id)).status, 201);
  const reused = await post(report(id, '完全不同的另一件事情'), id);
  assert.equal(reused.status, 422);
  assert.equal((await reused.json()).error.code, 'idempotency_key_reused');
});

test('a missing key or a key that is not the report id is a 400', async () => {
  const id = randomUUID();
  assert.equal((await post(report(id))).status, 400);
  assert.equal((await post(report(id), randomUUID())).status, 400);
  const short = await post(report(id, '短'), id);
  assert.equal(short.status, 400);
  assert.match((await short.json()).error.message, /5/);
});

test('CORS: the preflight names the methods and headers, only for allowed origins', async () => {
  const ok = await fetch(receiver.endpoint, {
    method: 'OPTIONS',
    headers: { Origin: 'https://h5.example.cn', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' },
  });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://h5.example.cn');
  assert.match(ok.headers.get('access-control-allow-headers'), /Idempotency-Key/);
  assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
  const denied = await fetch(receiver.endpoint, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.headers.get('access-control-allow-origin'), null);
  const id = randomUUID();
  const answer = await post(report(id), id, { Origin: 'https://h5.example.cn' });
  assert.equal(answer.headers.get('access-control-allow-origin'), 'https://h5.example.cn');
  assert.match(answer.headers.get('access-control-expose-headers'), /Retry-After/);
});

test('bodies over the size limit are answered 413 (not a reset), and nothing is stored', async () => {
  const id = randomUUID();
  const huge = report(id);
  huge.photos = [{ mime: 'image/jpeg', width: 1, height: 1, data: 'A'.repeat(6 * 1024 * 1024) }];
  // A reset would reject this fetch ("fetch failed"): the phone would take it for a network
  // error and retry for ever. The client must see the refusal.
  const answer = await post(huge, id);
  assert.equal(answer.status, 413);
  assert.equal((await answer.json()).error.code, 'too_large');
  assert.equal(receiver.reports().filter((r) => r.key === id).length, 0);
  // The receiver still answers afterwards.
  const next = randomUUID();
  assert.equal((await post(report(next), next)).status, 201);
});

test('a held request keeps its key in flight (409 for a retry) until released', async () => {
  receiver.hold(1);
  const id = randomUUID();
  const first = post(report(id), id);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await post(report(id), id)).status, 409);
  assert.equal(receiver.release(), 1);
  assert.equal((await first).status, 201);
  assert.equal((await post(report(id), id)).status, 201, 'replayed');
});

test('injected redirect and a 200 page without a ticket', async () => {
  receiver.page('/login', '<!doctype html><title>Sign in</title>');
  receiver.fail(302, 1, { location: '/login' });
  const id = randomUUID();
  const redirected = await post(report(id), id, {});
  // fetch follows it (as a GET), which is exactly what the widget must not do.
  assert.equal(redirected.redirected, true);
  assert.match(await redirected.text(), /Sign in/);
  receiver.fail(200, 1, { body: '<html>ok</html>' });
  const page = await post(report(id), id);
  assert.equal(page.status, 200);
  assert.equal(await page.text(), '<html>ok</html>');
  assert.equal(receiver.reports().filter((r) => r.key === id).length, 0);
});

test('status and feedback endpoints', async () => {
  const id = randomUUID();
  const { ticket } = await (await post(report(id), id)).json();
  const keyed = { 'X-Report-Key': id };
  let status = await (await fetch(`${receiver.endpoint}/${ticket}`, { headers: keyed })).json();
  assert.equal(status.status, 'received');
  receiver.setStatus(ticket, 'resolved', '已清理');
  status = await (await fetch(`${receiver.endpoint}/${ticket}`, { headers: keyed })).json();
  assert.deepEqual([status.status, status.note], ['resolved', '已清理']);
  const feedback = await fetch(`${receiver.endpoint}/${ticket}/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...keyed }, body: '{"satisfied":true}' });
  assert.equal(feedback.status, 200);
  assert.equal(receiver.reports().find((r) => r.ticket === ticket).feedback.satisfied, true);
  assert.equal((await fetch(`${receiver.endpoint}/XJ-00000000-0000`, { headers: keyed })).status, 404);
});

test('a ticket number alone reads and forges nothing: status and feedback need the report key', async () => {
  const id = randomUUID();
  const { ticket } = await (await post(report(id), id)).json();
  assert.equal((await fetch(`${receiver.endpoint}/${ticket}`)).status, 404, 'no key');
  assert.equal((await fetch(`${receiver.endpoint}/${ticket}`, { headers: { 'X-Report-Key': randomUUID() } })).status, 404, 'wrong key');
  const forged = await fetch(`${receiver.endpoint}/${ticket}/feedback`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Report-Key': randomUUID() }, body: '{"satisfied":false}' });
  assert.equal(forged.status, 404);
  assert.equal(receiver.reports().find((r) => r.ticket === ticket).feedback, null, 'nothing recorded');
  const preflight = await fetch(receiver.endpoint + '/' + ticket, { method: 'OPTIONS', headers: { Origin: 'https://h5.example.cn', 'Access-Control-Request-Headers': 'x-report-key' } });
  assert.match(preflight.headers.get('access-control-allow-headers'), /X-Report-Key/i, 'a cross-origin phone may send the key');
});

test('not satisfied with a comment reopens a resolved ticket (重办); the history marks the step', async () => {
  const { validators, describeErrors } = await import('./contract.mjs');
  const v = validators();
  const id = randomUUID();
  const { ticket } = await (await post(report(id), id)).json();
  const keyed = { 'Content-Type': 'application/json', 'X-Report-Key': id };
  receiver.setStatus(ticket, 'in_progress', '已派物业');
  receiver.setStatus(ticket, 'resolved', '电动车已移走');
  const verdict = { satisfied: false, comment: '电动车又推回楼道了' };
  assert.ok(v.feedback(verdict), describeErrors(v.feedback));
  const tooLong = await fetch(`${receiver.endpoint}/${ticket}/feedback`, { method: 'POST', headers: keyed, body: JSON.stringify({ satisfied: false, comment: '长'.repeat(501) }) });
  assert.equal(tooLong.status, 400);
  assert.equal(receiver.reports().find((r) => r.ticket === ticket).status, 'resolved', 'a refused verdict reopens nothing');
  const answer = await fetch(`${receiver.endpoint}/${ticket}/feedback`, { method: 'POST', headers: keyed, body: JSON.stringify(verdict) });
  assert.equal(answer.status, 200);
  const stored = receiver.reports().find((r) => r.ticket === ticket);
  assert.deepEqual(stored.feedbacks, [verdict]);
  const status = await (await fetch(`${receiver.endpoint}/${ticket}`, { headers: keyed })).json();
  assert.ok(v.status(status), describeErrors(v.status));
  assert.equal(status.status, 'received');
  assert.deepEqual(status.history.map((s) => [s.status, s.note ?? null, s.reopened ?? false]), [
    ['received', null, false], ['in_progress', '已派物业', false], ['resolved', '电动车已移走', false], ['received', null, true],
  ]);
  receiver.merge(ticket, 'XJ-20261130-0001');
  const merged = await (await fetch(`${receiver.endpoint}/${ticket}`, { headers: keyed })).json();
  assert.equal(merged.merged_into, 'XJ-20261130-0001');
  assert.ok(v.status(merged), describeErrors(v.status));
});

test('similar: open reports of that category at that place, ticket numbers only', async () => {
  const { validators, describeErrors } = await import('./contract.mjs');
  const v = validators();
  const place = (community, building, category) =>
    fetch(`${receiver.endpoint}/similar?${new URLSearchParams({ community, building, category })}`);
  const before = await (await place('示例二苑（演示）', '9号楼', 'blocked_fire_escape')).json();
  assert.deepEqual(before, { count: 0, tickets: [] });
  const filed = [];
  for (const building of ['9号楼', '9号楼', '8号楼']) {
    const id = randomUUID();
    const body = { ...report(id), category: 'blocked_fire_escape', location: { community: '示例二苑（演示）', building, detail: '' } };
    filed.push((await (await post(body, id)).json()).ticket);
  }
  receiver.setStatus(filed[1], 'resolved', '已清理');
  const answer = await (await place('示例二苑（演示）', '9号楼', 'blocked_fire_escape')).json();
  assert.ok(v.similar(answer), describeErrors(v.similar));
  assert.deepEqual(answer, { count: 1, tickets: [filed[0]] }, 'resolved ones and other buildings are left out');
  assert.equal(JSON.stringify(answer).includes('contact'), false);
  assert.equal((await place('示例二苑（演示）', '9号楼', 'other')).status, 200);
  assert.equal((await fetch(`${receiver.endpoint}/similar?building=9`)).status, 400);
});

test('injected faults: N times 503 with Retry-After, then normal', async () => {
  receiver.fail(503, 2, { retryAfter: 7 });
  const id = randomUUID();
  const first = await post(report(id), id);
  assert.equal(first.status, 503);
  assert.equal(first.headers.get('retry-after'), '7');
  assert.equal((await post(report(id), id)).status, 503);
  assert.equal((await post(report(id), id)).status, 201);
  const attempts = receiver.state.attempts.filter((a) => a.key === id);
  assert.equal(attempts.length, 3);
  assert.equal(new Set(attempts.map((a) => a.bodyHash)).size, 1);
});

test('injected hang: the request gets no answer', async () => {
  receiver.hang(1);
  const id = randomUUID();
  const outcome = await Promise.race([post(report(id), id).then(() => 'answered'), new Promise((r) => setTimeout(() => r('no answer'), 500))]);
  assert.equal(outcome, 'no answer');
});

test('the documents: the shipped feed fits its schema; the receiver answers fit the contract', async () => {
  const { validators, describeErrors } = await import('./contract.mjs');
  const { readFileSync } = await import('node:fs');
  const v = validators();
  const feed = JSON.parse(readFileSync(new URL('../../public/campaigns.json', import.meta.url)));
  assert.ok(v.feed(feed), describeErrors(v.feed));
  assert.equal(v.feed({ campaigns: [{ id: 'x' }] }), false, 'the schema does reject an incomplete campaign');
  const id = randomUUID();
  const good = report(id);
  assert.ok(v.report(good), describeErrors(v.report));
  assert.equal(v.report({ ...good, contact: { name: 'x', phone: '123' } }), false);
  const accepted = await (await post(good, id)).json();
  assert.ok(v.accepted(accepted), describeErrors(v.accepted));
  const status = await (await fetch(`${receiver.endpoint}/${accepted.ticket}`, { headers: { 'X-Report-Key': id } })).json();
  assert.ok(v.status(status), describeErrors(v.status));
});

test('a verdict resent under its Idempotency-Key is replayed, and counted once', async () => {
  const id = randomUUID();
  const { ticket } = await (await post(report(id), id)).json();
  const verdictKey = randomUUID();
  const send = (body) => fetch(`${receiver.endpoint}/${ticket}/feedback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Report-Key': id, 'Idempotency-Key': verdictKey },
    body: JSON.stringify(body),
  });
  const verdict = { satisfied: false, comment: '楼道里还是有电动车' };
  assert.equal((await send(verdict)).status, 200);
  const again = await send(verdict);
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal((await send({ satisfied: true })).status, 422);
  assert.equal(receiver.reports().find((r) => r.ticket === ticket).feedbacks.length, 1);
});
