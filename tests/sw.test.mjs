// The service worker (public/sw.js) run in a sandbox with fake caches and network: what it
// keeps on install, what it drops on activate, and which requests it answers how.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SCOPE = 'https://h5.example.cn/safety/';

function worker({ version = 'v2', assets = ['app-1a2b.wasm', 'app-1a2b.js'], network } = {}) {
  const source = readFileSync(new URL('../public/sw.js', import.meta.url), 'utf8').replace(
    /^const MANIFEST = .*xinjing-manifest$/m,
    `const MANIFEST = ${JSON.stringify({ version, assets })};`,
  );
  const stores = new Map([['xinjing-/safety/-v1', new Map()], ['xinjing-/elsewhere/-v1', new Map()], ['other-app', new Map()]]);
  const requested = [];
  const listeners = {};
  const store = (name) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const s = stores.get(name);
    return {
      put: async (req, res) => s.set(new URL(typeof req === 'string' ? req : req.url, SCOPE).href, res.body),
    };
  };
  const caches = {
    open: async (name) => store(name),
    keys: async () => [...stores.keys()],
    delete: async (name) => stores.delete(name),
    match: async (req) => {
      const url = new URL(req.url);
      url.search = '';
      for (const s of stores.values()) if (s.has(url.href)) return { body: s.get(url.href), fromCache: true };
      return undefined;
    },
  };
  const self = {
    location: new URL(SCOPE),
    registration: { scope: SCOPE },
    clients: { claim: async () => {} },
    skipWaiting: async () => {},
    addEventListener: (type, fn) => (listeners[type] = fn),
  };
  // Requests resolve against the worker's scope, as they do in a browser.
  const Request = class { constructor(url, init = {}) { this.url = new URL(url, SCOPE).href; this.cache = init.cache; } };
  const net = network ?? (async () => { throw new Error('offline'); });
  const fetch = async (req, init = {}) => {
    const request = typeof req === 'string' ? new Request(req, init) : req;
    requested.push({ url: request.url, cache: request.cache ?? init.cache });
    return net(request);
  };
  vm.runInNewContext(source, { self, caches, fetch, Request, URL, Promise, console });
  const run = async (type, extra = {}) => {
    let waited, responded;
    listeners[type]({ ...extra, waitUntil: (p) => (waited = p), respondWith: (p) => (responded = p) });
    await waited;
    return responded === undefined ? undefined : await responded;
  };
  return { stores, run, requested };
}

const get = (path, method = 'GET') => ({ url: new URL(path, SCOPE).href, method });

const serve = async (req) => ({ ok: true, status: 200, body: `served ${req.url}`, clone() { return this; } });

test('install keeps the build\'s assets and the page, config and feed, fetched past the HTTP cache', async () => {
  const sw = worker({ network: serve });
  await sw.run('install');
  const kept = [...sw.stores.get('xinjing-/safety/-v2').keys()].map((u) => u.slice(SCOPE.length)).sort();
  assert.deepEqual(kept, ['', 'app-1a2b.js', 'app-1a2b.wasm', 'campaigns.json', 'config.json', 'index.html']);
  assert.equal(sw.requested.length, 6);
  assert.ok(sw.requested.every((r) => r.cache === 'reload'), 'a long max-age cannot hand the new worker old files');
});

test('an install that cannot fetch every file fails, so the working version stays', async () => {
  const sw = worker({ network: async (req) => (req.url.endsWith('.wasm') ? { ok: false, status: 404 } : serve(req)) });
  await assert.rejects(sw.run('install'), /404/);
});

test('activate drops older versions of this deployment and nothing else', async () => {
  const sw = worker({ network: serve });
  await sw.run('install');
  await sw.run('activate');
  assert.deepEqual([...sw.stores.keys()].sort(), ['other-app', 'xinjing-/elsewhere/-v1', 'xinjing-/safety/-v2']);
});

test('reports and other origins go straight to the network', async () => {
  const sw = worker();
  assert.equal(await sw.run('fetch', { request: get('reports', 'POST') }), undefined);
  assert.equal(await sw.run('fetch', { request: { url: 'https://desk.example.cn/api/v1/reports/XJ-1', method: 'GET' } }), undefined);
  assert.equal(await sw.run('fetch', { request: get('unknown.png') }), undefined, 'unlisted files are left alone');
});

test('config is network-first and revalidated, with the cached copy when offline', async () => {
  let online = true;
  const sw = worker({ network: async (req) => (online ? serve(req) : Promise.reject(new Error('offline'))) });
  await sw.run('install');
  const fresh = await sw.run('fetch', { request: get('config.json') });
  assert.equal(fresh.body, `served ${SCOPE}config.json`);
  assert.equal(sw.requested.at(-1).cache, 'no-cache');
  online = false;
  const offline = await sw.run('fetch', { request: get('config.json?t=1') });
  assert.ok(offline.fromCache, 'served from the cache');
});

test('hashed assets are cache-first', async () => {
  const sw = worker({ network: serve });
  await sw.run('install');
  const before = sw.requested.length;
  const hit = await sw.run('fetch', { request: get('app-1a2b.wasm') });
  assert.deepEqual([hit.fromCache, sw.requested.length], [true, before]);
});
