// The service worker: keeps the widget openable without signal after the first visit.
// Hashed assets are cache-first; the page, config and feed are network-first, so a
// deployer's edits reach residents at once, with the cached copy when offline. Reports
// (cross-origin or POST) are never touched: they go straight to the network.
//
// scripts/post-build.mjs copies this file to dist/sw.js with the build's manifest in
// place of the line marked below; tests/sw.test.mjs runs it against fake caches.

/* global self, caches, fetch, Request */
const MANIFEST = { version: 'dev', assets: [] }; // replaced at build: xinjing-manifest
// One deployment per scope: the cache name carries the scope's path, so a second widget
// at another path of the same site keeps its own cache.
const SCOPE_PATH = new URL(self.registration.scope).pathname;
const PREFIX = `xinjing-${SCOPE_PATH}-`;
const CACHE = PREFIX + MANIFEST.version;
const ASSETS = MANIFEST.assets;
const FRESH = ['', 'index.html', 'config.json', 'campaigns.json'];

// Every precached file comes from the server, never from the browser's HTTP cache: with a
// long max-age that cache could hand a new worker an old page or loader that points at
// files the deploy removed. A failed fetch fails the install, so the old worker stays.
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    ASSETS.concat(FRESH).map(async (path) => {
      const response = await fetch(new Request('./' + path, { cache: 'reload' }));
      if (!response.ok) throw new Error(`precache ${path}: HTTP ${response.status}`);
      await cache.put('./' + path, response);
    }),
  );
}

self.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const path = url.pathname.slice(SCOPE_PATH.length);
  if (FRESH.includes(path)) {
    // Revalidated with the server, so a new deploy's page is seen on the next load.
    e.respondWith(
      fetch(url.href, { cache: 'no-cache' })
        .then((r) => {
          if (r.ok) {
            const copy = r.clone();
            caches.open(CACHE).then((c) => c.put(e.request, copy));
          }
          return r;
        })
        .catch(() => caches.match(e.request, { ignoreSearch: true })),
    );
  } else if (ASSETS.includes(path)) {
    e.respondWith(caches.match(e.request).then((hit) => hit || fetch(e.request)));
  }
});
