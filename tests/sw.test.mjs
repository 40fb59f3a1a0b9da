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
  const stores = new Map([['xinjing-v1', new Map()], ['other-app', new Map()]]);
  const listeners = {};
  const store = (name) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const s = stores.get(name);
    return {
      addAll: async (urls) => urls.forEach((u) => s.set(new URL(u, SCOPE).href, `cached ${u}`)),
      put: async (req, res) => s.set(req.url, res.body),
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
  vm.runInNewContext(source, { self, caches, fetch: network ?? (async () => { throw new Error('offline'); }), URL, Promise, console });
  const run = async (type, extra = {}) => {
    let waited, responded;
    listeners[type]({ ...extra, waitUntil: (p) => (waited = p), respondWith: (p) => (responded = p) });
    await waited;
    return responded === undefined ? undefined : await responded;
  };
  return { stores, run };
}

const get = (path, method = 'GET') => ({ url: new URL(path, SCOPE).href, method });

test('install keeps the build\'s assets and the page, config and feed', async () => {
  const sw = worker();
  await sw.run('install');
  const kept = [...sw.stores.get('xinjing-v2').keys()].map((u) => u.slice(SCOPE.length)).sort();
  assert.deepEqual(kept, ['', 'app-1a2b.js', 'app-1a2b.wasm', 'campaigns.json', 'config.json', 'index.html', 'photo-worker.js']);
});

test('activate drops older versions of this widget and nothing else', async () => {
  const sw = worker();
  await sw.run('install');
  await sw.run('activate');
  assert.deepEqual([...sw.stores.keys()].sort(), ['other-app', 'xinjing-v2']);
});

test('reports and other origins go straight to the network', async () => {
  const sw = worker();
  assert.equal(await sw.run('fetch', { request: get('reports', 'POST') }), undefined);
  assert.equal(await sw.run('fetch', { request: { url: 'https://desk.example.cn/api/v1/reports/XJ-1', method: 'GET' } }), undefined);
  assert.equal(await sw.run('fetch', { request: get('unknown.png') }), undefined, 'unlisted files are left alone');
});

test('config is network-first, with the cached copy when offline', async () => {
  let online = true;
  const sw = worker({ network: async (req) => (online ? { ok: true, body: `fresh ${req.url}`, clone() { return this; } } : Promise.reject(new Error('offline'))) });
  await sw.run('install');
  const fresh = await sw.run('fetch', { request: get('config.json') });
  assert.equal(fresh.body, `fresh ${SCOPE}config.json`);
  online = false;
  const offline = await sw.run('fetch', { request: get('config.json?t=1') });
  assert.ok(offline.fromCache, 'served from the cache');
});

test('hashed assets are cache-first', async () => {
  let fetched = 0;
  const sw = worker({ network: async () => { fetched += 1; return { ok: true, body: 'net' }; } });
  await sw.run('install');
  const hit = await sw.run('fetch', { request: get('app-1a2b.wasm') });
  assert.deepEqual([hit.fromCache, fetched], [true, 0]);
});
