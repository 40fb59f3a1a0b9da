// Reference receiver for endpoint contract v1 (docs/openapi.json), with no dependencies
// beyond Node's standard library. The end-to-end tests start it in-process; integrators can
// run it (`node tests/e2e/receiver.mjs --port 8787`) and read it as a starting point.
//
//   POST /reports                  store a report (Idempotency-Key required)
//   GET  /reports/{ticket}         status        (X-Report-Key: the report's id)
//   POST /reports/{ticket}/feedback satisfaction  (X-Report-Key: the report's id); "not
//                                  satisfied" with a resolved or rejected ticket reopens it;
//                                  resent under its Idempotency-Key, the answer is replayed
//   GET  /reports/similar?community=&building=&category=
//                                  open reports of the last 30 days at that place, tickets only
//
// Idempotency follows the IETF Idempotency-Key draft: a repeated key with the same body
// replays the first answer; the same key with another body is refused with 422; a key whose
// first request is still being processed gets 409.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';

const MAX_BODY = 5 * 1024 * 1024; // three 400 KB photos in base64 and the text fit easily
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const STATUSES = ['received', 'in_progress', 'resolved', 'rejected'];
const OPEN = ['received', 'in_progress'];
const COMMENT_MAX = 500; // crates/contract ticket::COMMENT_MAX
const SIMILAR_DAYS = 30;

function shanghaiDate(ms) {
  return new Date(ms + 8 * 3600e3).toISOString().slice(0, 10).replaceAll('-', '');
}
function rfc3339(ms) {
  return new Date(ms + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00';
}

export function startReceiver({ port = 0, host = '127.0.0.1', allowedOrigins = ['*'], basePath = '/reports' } = {}) {
  const state = {
    reports: new Map(), // key -> { key, hash, body, ticket, receivedMs, status, updatedAt, note, mergedInto, history, feedback, feedbacks, answer }
    inFlight: new Set(),
    feedbackKeys: new Map(), // feedback's Idempotency-Key -> { hash, answer }
    attempts: [], // every POST to basePath: { key, bodyHash, at }
    requests: [], // every request: { method, path, query, origin }
    faults: [], // queue of { status, times, message, retryAfter, location, body, type } or { hang | hold: true, times }
    hung: new Set(),
    held: [], // requests waiting for release(): functions that answer them normally
    aborted: 0, // hung or held requests the client gave up on (closed)
    pages: new Map(), // path -> html answered to GET (what a redirect may lead to)
  };

  function cors(req, res) {
    const origin = req.headers.origin;
    const allowed = allowedOrigins.includes('*') ? origin || '*' : allowedOrigins.includes(origin) ? origin : null;
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', allowed);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Idempotent-Replayed');
    }
    return allowed;
  }

  function send(res, status, body, headers = {}) {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(text);
    return { status, body, headers };
  }
  const error = (res, status, code, message, headers) => send(res, status, { error: { code, message } }, headers);

  function takeFault() {
    const fault = state.faults[0];
    if (!fault) return null;
    fault.times -= 1;
    if (fault.times <= 0) state.faults.shift();
    return fault;
  }

  // Reads the body up to MAX_BODY. A larger one is read to its end and thrown away, so
  // the 413 reaches the client: closing the connection mid-upload would show the phone a
  // reset, which it takes for a network error and retries for ever. Only a body far past
  // any report (8x the limit) is cut off.
  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size > 8 * MAX_BODY) {
          req.destroy();
          return;
        }
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > MAX_BODY) reject(Object.assign(new Error('too large'), { tooLarge: true }));
        else resolve(Buffer.concat(chunks).toString('utf8'));
      });
      req.on('error', reject);
    });
  }

  function newTicket(now) {
    const prefix = `XJ-${shanghaiDate(now)}-`;
    let n = 0;
    for (const r of state.reports.values()) if (r.ticket.startsWith(prefix)) n += 1;
    return prefix + String(n + 1).padStart(4, '0');
  }

  // Status and feedback need the report's id in X-Report-Key: only the phone that filed the
  // report knows it, so counting ticket numbers reads and forges nothing. A wrong key and an
  // unknown ticket get the same 404.
  function byTicket(ticket) {
    for (const r of state.reports.values()) if (r.ticket === ticket) return r;
    return null;
  }
  function findTicket(ticket, req) {
    const report = byTicket(ticket);
    return report && report.key === req.headers['x-report-key'] ? report : null;
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://receiver');
    state.requests.push({ method: req.method, path: url.pathname, query: url.search, origin: req.headers.origin || null });
    const allowed = cors(req, res);
    if (req.method === 'OPTIONS') {
      if (!allowed) return error(res, 403, 'origin_not_allowed', 'Origin not allowed');
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Idempotency-Key, X-Report-Key',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    if (req.method === 'GET' && state.pages.has(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(state.pages.get(url.pathname));
    }
    if (!url.pathname.startsWith(basePath)) return error(res, 404, 'not_found', 'Not found');
    const rest = url.pathname.slice(basePath.length).split('/').filter(Boolean).map(decodeURIComponent);

    if (req.method === 'POST' && rest.length === 0) return submit(req, res);
    if (req.method === 'GET' && rest.length === 1 && rest[0] === 'similar') return similar(res, url.searchParams);
    if (req.method === 'GET' && rest.length === 1) {
      const report = findTicket(rest[0], req);
      if (!report) return error(res, 404, 'not_found', '没有这个工单 / No such ticket');
      return send(res, 200, statusOf(report));
    }
    if (req.method === 'POST' && rest.length === 2 && rest[1] === 'feedback') {
      const report = findTicket(rest[0], req);
      if (!report) return error(res, 404, 'not_found', '没有这个工单 / No such ticket');
      let text;
      try { text = await readBody(req); } catch { text = ''; }
      // A verdict resent under its own Idempotency-Key (its answer was lost) is counted once.
      const key = req.headers['idempotency-key'];
      const hash = createHash('sha256').update(`${report.ticket}\n${text}`).digest('hex');
      const saved = key ? state.feedbackKeys.get(key) : null;
      if (saved && saved.hash !== hash) return error(res, 422, 'idempotency_key_reused', 'Idempotency-Key reused with another body');
      if (saved) return send(res, 200, saved.answer, { 'Idempotent-Replayed': 'true' });
      let body;
      try { body = JSON.parse(text); } catch { body = null; }
      if (!body || typeof body.satisfied !== 'boolean') return error(res, 400, 'invalid_feedback', 'satisfied must be true or false');
      if (body.comment !== undefined && typeof body.comment !== 'string') return error(res, 400, 'invalid_feedback', 'comment must be text');
      if (typeof body.comment === 'string' && [...body.comment].length > COMMENT_MAX) {
        return error(res, 400, 'comment_too_long', `意见最多 ${COMMENT_MAX} 字 / At most ${COMMENT_MAX} characters`);
      }
      report.feedback = { satisfied: body.satisfied, comment: body.comment };
      report.feedbacks.push(report.feedback);
      // 12345's 重办: a verdict of "not satisfied" on a closed ticket opens it again.
      if (!body.satisfied && !OPEN.includes(report.status)) {
        const at = rfc3339(Date.now());
        Object.assign(report, { status: 'received', note: null, updatedAt: at });
        report.history.push({ status: 'received', at, reopened: true });
      }
      const answer = { ticket: report.ticket, satisfied: body.satisfied, status: report.status };
      if (key) state.feedbackKeys.set(key, { hash, answer });
      return send(res, 200, answer);
    }
    return error(res, 405, 'method_not_allowed', 'Method not allowed');
  }

  // The contract's Status: note, merged-into and the history only when there are some.
  function statusOf(report) {
    return {
      ticket: report.ticket,
      status: report.status,
      updated_at: report.updatedAt,
      note: report.note ?? undefined,
      merged_into: report.mergedInto ?? undefined,
      history: report.history,
    };
  }

  // Ticket numbers only: who sent them stays here.
  function similar(res, params) {
    const [community, building, category] = ['community', 'building', 'category'].map((n) => params.get(n) ?? '');
    if (!community || !category) return error(res, 400, 'invalid_query', 'community and category are required');
    const since = Date.now() - SIMILAR_DAYS * 86400e3;
    const tickets = [...state.reports.values()]
      .filter((r) => OPEN.includes(r.status) && r.receivedMs >= since && r.body.category === category
        && r.body.location?.community === community && (!building || r.body.location?.building === building))
      .map((r) => r.ticket);
    return send(res, 200, { count: tickets.length, tickets });
  }

  async function submit(req, res) {
    const key = req.headers['idempotency-key'];
    let text;
    try {
      text = await readBody(req);
    } catch (e) {
      if (e.tooLarge) return error(res, 413, 'too_large', `报告太大（上限 ${MAX_BODY} 字节）/ Report larger than ${MAX_BODY} bytes`, { Connection: 'close' });
      throw e;
    }
    const hash = createHash('sha256').update(text).digest('hex');
    state.attempts.push({ key: key ?? null, bodyHash: hash, at: Date.now() });

    const fault = takeFault();
    if (fault?.hang || fault?.hold) {
      state.hung.add(res);
      res.on('close', () => { if (!res.writableEnded) state.aborted += 1; });
      // hang: never answers, the client must time out; hold: the key is being processed
      // (a retry with it gets 409) until release() answers it normally.
      if (fault.hold) {
        if (key) state.inFlight.add(key);
        state.held.push(() => {
          state.hung.delete(res);
          if (key) state.inFlight.delete(key);
          return accept(req, res, key, text, hash);
        });
      }
      return null;
    }
    if (fault) {
      const headers = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
      if (fault.location) headers.Location = fault.location;
      if (fault.body !== undefined) {
        res.writeHead(fault.status, { 'Content-Type': fault.type ?? 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
        return res.end(fault.body);
      }
      return error(res, fault.status, fault.code ?? `http_${fault.status}`, fault.message ?? `Injected ${fault.status}`, headers);
    }
    return accept(req, res, key, text, hash);
  }

  function accept(req, res, key, text, hash) {
    if (!(req.headers['content-type'] || '').startsWith('application/json')) {
      return error(res, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    if (!key || !UUID.test(key)) return error(res, 400, 'idempotency_key_missing', 'Idempotency-Key must be a UUID v4');
    const existing = state.reports.get(key);
    if (existing) {
      if (existing.hash !== hash) {
        return error(res, 422, 'idempotency_key_reused', '同一报告编号的内容不一致 / This Idempotency-Key was used with a different body');
      }
      return send(res, existing.answer.status, existing.answer.body, { 'Idempotent-Replayed': 'true' });
    }
    if (state.inFlight.has(key)) return error(res, 409, 'in_progress', 'A request with this Idempotency-Key is being processed');
    state.inFlight.add(key);
    try {
      let body;
      try { body = JSON.parse(text); } catch { return error(res, 400, 'invalid_json', '报告不是有效的 JSON / Body is not JSON'); }
      const problem = checkReport(body, key);
      if (problem) return error(res, 400, 'invalid_report', problem);
      const now = Date.now();
      const ticket = newTicket(now);
      const answer = { status: 201, body: { ticket, status: 'received' } };
      const at = rfc3339(now);
      state.reports.set(key, {
        key, hash, body, ticket, receivedMs: now, status: 'received', updatedAt: at, note: null, mergedInto: null,
        history: [{ status: 'received', at }], feedback: null, feedbacks: [], answer,
      });
      return send(res, answer.status, answer.body);
    } finally {
      state.inFlight.delete(key);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error('receiver error', e);
      if (!res.headersSent) error(res, 500, 'internal', 'Internal error');
    });
  });

  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const address = server.address();
      const origin = `http://${host}:${address.port}`;
      resolve({
        origin,
        endpoint: origin + basePath,
        state,
        /** Answers the next `times` report POSTs with `status` (optionally Retry-After). */
        fail(status, times = 1, extra = {}) { state.faults.push({ status, times, ...extra }); },
        /** The next `times` report POSTs never get an answer. */
        hang(times = 1) { state.faults.push({ hang: true, times }); },
        /** The next `times` report POSTs wait, unanswered, until release(). */
        hold(times = 1) { state.faults.push({ hold: true, times }); },
        /** Answers every held POST as it would have been answered at once. */
        release() { const waiting = state.held.splice(0); waiting.forEach((answer) => answer()); return waiting.length; },
        /** GET `path` answers this HTML page (where a misconfigured redirect might lead). */
        page(path, html) { state.pages.set(path, html); },
        /** The committee moves a ticket on, with a public note; it joins the history. */
        setStatus(ticket, status, note = null) {
          if (!STATUSES.includes(status)) throw new Error('bad status ' + status);
          const report = byTicket(ticket);
          if (!report) throw new Error('no ticket ' + ticket);
          const at = rfc3339(Date.now());
          Object.assign(report, { status, note, updatedAt: at });
          report.history.push(note === null ? { status, at } : { status, at, note });
        },
        /** The committee found `ticket` a duplicate of `into`. */
        merge(ticket, into) {
          const report = byTicket(ticket);
          if (!report) throw new Error('no ticket ' + ticket);
          report.mergedInto = into;
        },
        reports() { return [...state.reports.values()]; },
        close() {
          for (const res of state.hung) res.destroy();
          server.closeAllConnections?.();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

function checkReport(body, key) {
  if (typeof body !== 'object' || body === null) return 'body must be an object';
  if (typeof body.schema !== 'string' || !body.schema.startsWith('xinjing.report/1')) return 'unknown schema';
  if (body.id !== key) return 'id must equal the Idempotency-Key';
  if (typeof body.category !== 'string') return 'category is required';
  if (typeof body.description !== 'string' || [...body.description.trim()].length < 5) return '描述至少 5 个字 / description must be at least 5 characters';
  if (!body.location || typeof body.location !== 'object') return 'location is required';
  if (!Array.isArray(body.photos) || body.photos.length > 3) return 'at most 3 photos';
  if (body.contact !== null && (typeof body.contact !== 'object' || !body.consent?.contact)) return 'contact needs consent';
  return null;
}

// Standalone: node tests/e2e/receiver.mjs [--port 8787] [--origin https://h5.example]
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
  const origins = args.flatMap((a, i) => (a === '--origin' ? [args[i + 1]] : []));
  const receiver = await startReceiver({ port: Number(arg('--port', 8787)), allowedOrigins: origins.length ? origins : ['*'] });
  console.log(`reference receiver: ${receiver.endpoint}`);
}
