// The service worker: keeps the widget openable without signal after the first visit.
// Hashed assets are cache-first; the page, config and feed are network-first, so a
// deployer's edits reach residents at once, with the cached copy when offline. Reports
// (cross-origin or POST) are never touched: they go straight to the network.
//
// scripts/post-build.mjs copies this file to dist/sw.js with the build's manifest in
// place of the line marked below; tests/sw.test.mjs runs it against fake caches.

/* global self, caches, fetch */
const MANIFEST = { version: 'dev', assets: [] }; // replaced at build: xinjing-manifest
const CACHE = `xinjing-${MANIFEST.version}`;
const ASSETS = MANIFEST.assets;
const FRESH = ['', 'index.html', 'config.json', 'campaigns.json', 'photo-worker.js'];

self.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(ASSETS.concat(FRESH.map((f) => './' + f))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('xinjing-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const path = url.pathname.slice(new URL(self.registration.scope).pathname.length);
  if (FRESH.includes(path)) {
    e.respondWith(
      fetch(e.request)
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
