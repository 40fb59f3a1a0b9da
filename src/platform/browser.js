// Small browser adapters that are far shorter in JS than through web-sys bindings:
// IndexedDB as promises, the Web Locks API, and the photo pipeline's async steps.
// No policy lives here: the Rust core decides what to store, send and how big photos are.

// Each deployment's own names (the Rust side decides them; see useNames): these are the
// ones of a widget at the site's root, and of every build before deployments had their own.
let DB_NAME = 'xinjing-safety';
let WAITING_KEY = 'xj.outbox';
let CHANNEL = 'xinjing-safety';
let SYNC_KEY = 'xj.sync';

export function useNames(db, waiting, channel, sync) {
  DB_NAME = db;
  WAITING_KEY = waiting;
  CHANNEL = channel;
  SYNC_KEY = sync;
}

// 'bodies': each waiting report's body (its photos), written once; 'outbox' holds the
// small records a lease or an attempt's result rewrites.
const STORES = ['outbox', 'bodies', 'aside', 'kv'];
let opening = null;

// Opens at whatever version the database has (a newer build may have moved it on), and
// adds a store only when one is missing. The connection is let go when another tab needs to
// upgrade (versionchange) or the browser closes it (storage cleared, disk error); the next
// operation then opens a new one, so one closed connection never ends storage for the visit.
function openDb() {
  if (!opening) {
    const attempt = openAt(undefined)
      .then((db) => {
        if (STORES.every((name) => db.objectStoreNames.contains(name))) return db;
        const next = db.version + 1;
        db.close();
        return openAt(next);
      })
      .then((db) => {
        const forget = () => { if (opening === attempt) opening = null; };
        db.onversionchange = () => { db.close(); forget(); };
        db.onclose = forget;
        return db;
      });
    opening = attempt;
    attempt.catch(() => { if (opening === attempt) opening = null; });
  }
  return opening;
}

// How many reports wait in the outbox, kept in localStorage after every change to it, so
// that boot.js can start the app at once for them without loading anything first.
function noteWaiting(db) {
  try {
    const count = db.transaction(['outbox'], 'readonly').objectStore('outbox').count();
    count.onsuccess = () => {
      try { localStorage.setItem(WAITING_KEY, String(count.result)); } catch (_) { /* no storage */ }
      if (count.result > 0) askToPersist();
    };
  } catch (_) { /* closing: the next write counts again */ }
}

// Once the phone keeps a report or a ticket, the browser is asked (once a visit) not to
// evict this origin's storage under pressure; it may say no, and nothing depends on it.
let persistAsked = false;
function askToPersist() {
  if (persistAsked) return;
  persistAsked = true;
  try { navigator.storage.persist().catch(() => {}); } catch (_) { /* no StorageManager */ }
}

function openAt(version) {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(DB_NAME) : indexedDB.open(DB_NAME, version);
    request.onupgradeneeded = () => {
      for (const name of STORES) {
        if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('blocked'));
  });
}

// One transaction. A connection closed under us (InvalidStateError when the transaction is
// created, before `work` ran) is reopened and the transaction tried once more.
function run(stores, mode, work, retried = false, keptTicket = false) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    // 'strict': a write is reported done only once it is on disk, not in an OS buffer a
    // power cut or a killed WebView could lose ("saved on this phone" must be true).
    const tx = mode === 'readwrite' ? db.transaction(stores, mode, { durability: 'strict' }) : db.transaction(stores, mode);
    let result;
    const request = work(tx);
    if (request) request.onsuccess = () => { result = request.result; };
    tx.oncomplete = () => {
      // Counted once the transaction is done: some writes happen in its callbacks.
      if (mode === 'readwrite' && stores.includes('outbox')) noteWaiting(db);
      if (mode === 'readwrite' && stores.includes('kv') && keptTicket) askToPersist();
      resolve(result);
    };
    tx.onerror = tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  })).catch((e) => {
    if (!retried && e && e.name === 'InvalidStateError') {
      opening = null;
      return run(stores, mode, work, true, keptTicket);
    }
    throw e;
  });
}

const isTicket = (key) => String(key).startsWith('ticket:');

export function idbPut(store, key, value) {
  return run([store], 'readwrite', (tx) => tx.objectStore(store).put(value, key), false, isTicket(key));
}

// Writes only if nothing is stored under `key` yet; resolves to whether it wrote.
export function idbPutIfAbsent(store, key, value) {
  let wrote = false;
  return run([store], 'readwrite', (tx) => {
    const os = tx.objectStore(store);
    const get = os.get(key);
    get.onsuccess = () => {
      if (get.result === undefined) { os.put(value, key); wrote = true; }
    };
    return null;
  }, false, isTicket(key)).then(() => wrote);
}

export function idbGet(store, key) {
  return run([store], 'readonly', (tx) => tx.objectStore(store).get(key)).then((v) => (v === undefined ? null : v));
}

// Read-modify-write of one record in one transaction: `change(current)` runs inside it and
// returns the new text, or null to leave the record as it is. A missing record stays
// missing (`change(null)` is called only so its closure is freed). Resolves to the text
// written, or null.
export function idbUpdate(store, key, change) {
  let written = null;
  return run([store], 'readwrite', (tx) => {
    const os = tx.objectStore(store);
    const get = os.get(key);
    get.onsuccess = () => {
      const current = get.result === undefined ? null : String(get.result);
      const next = change(current);
      if (current !== null && typeof next === 'string') { os.put(next, key); written = next; }
    };
    return null;
  }).then(() => written);
}

// A report just queued: its record and its body, in one transaction.
export function idbPutReport(key, json, body) {
  return run(['outbox', 'bodies'], 'readwrite', (tx) => {
    tx.objectStore('bodies').put(body, key);
    return tx.objectStore('outbox').put(json, key);
  });
}

// A waiting report deleted: its record and its body.
export function idbRemoveReport(key) {
  return run(['outbox', 'bodies'], 'readwrite', (tx) => {
    tx.objectStore('bodies').delete(key);
    return tx.objectStore('outbox').delete(key);
  });
}

// Stores the body of a report an older build kept inline, only if the report is still
// waiting; resolves to whether it was.
export function idbKeepBody(key, body) {
  let found = false;
  return run(['outbox', 'bodies'], 'readwrite', (tx) => {
    const get = tx.objectStore('outbox').getKey(key);
    get.onsuccess = () => {
      if (get.result === undefined) return;
      found = true;
      tx.objectStore('bodies').put(body, key);
    };
    return null;
  }).then(() => found);
}

export function idbDelete(store, key) {
  return run([store], 'readwrite', (tx) => tx.objectStore(store).delete(key));
}

export function idbCount(store) {
  return run([store], 'readonly', (tx) => tx.objectStore(store).count());
}

export function idbClear(store) {
  return run([store], 'readwrite', (tx) => tx.objectStore(store).clear());
}

// "Clear my data": every store, in one transaction.
export function idbWipe() {
  return run(STORES, 'readwrite', (tx) => { for (const name of STORES) tx.objectStore(name).clear(); return null; });
}

// [[key, value], …] in key order, from one read transaction; only keys starting with
// `prefix` when one is given.
export function idbEntries(store, prefix) {
  const out = [];
  return run([store], 'readonly', (tx) => {
    const range = prefix ? IDBKeyRange.bound(prefix, prefix + '\uffff') : undefined;
    const cursor = tx.objectStore(store).openCursor(range);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (c) { out.push([String(c.key), String(c.value)]); c.continue(); }
    };
    return null;
  }).then(() => out);
}

// A delivered report: removes it from the outbox and keeps its ticket record, in one
// transaction, only if it is still in the outbox (a delete or a clear while it was on the
// wire wins). Resolves to whether it was there.
export function idbComplete(key, receiptKey, receipt) {
  let found = false;
  return run(['outbox', 'bodies', 'kv'], 'readwrite', (tx) => {
    const outbox = tx.objectStore('outbox');
    const get = outbox.getKey(key);
    tx.objectStore('bodies').delete(key);
    get.onsuccess = () => {
      if (get.result === undefined) return;
      found = true;
      outbox.delete(key);
      if (typeof receipt === 'string') tx.objectStore('kv').put(receipt, receiptKey);
    };
    return null;
  }, false, typeof receipt === 'string').then(() => found);
}

// Moves an unreadable outbox record aside atomically, if it is still there. Its body, if
// it has one, stays in 'bodies' under the same key ("clear my data" removes both).
export function idbSetAside(key, value) {
  return run(['outbox', 'aside'], 'readwrite', (tx) => {
    const get = tx.objectStore('outbox').getKey(key);
    get.onsuccess = () => {
      if (get.result === undefined) return;
      tx.objectStore('aside').put(value, key);
      tx.objectStore('outbox').delete(key);
    };
    return null;
  });
}

// The waiting reports an older build left in the database every deployment shared
// (`name`), as [[key, record, body or null], …], read without creating that database.
export function legacyOutbox(name) {
  return new Promise((resolve) => {
    const request = indexedDB.open(name);
    request.onupgradeneeded = () => request.transaction.abort(); // there was none
    request.onerror = request.onblocked = () => resolve([]);
    request.onsuccess = () => {
      const db = request.result;
      const stores = ['outbox', 'bodies'].filter((s) => db.objectStoreNames.contains(s));
      if (!stores.includes('outbox')) { db.close(); resolve([]); return; }
      const out = [];
      const tx = db.transaction(stores, 'readonly');
      const cursor = tx.objectStore('outbox').openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return;
        const row = [String(c.key), String(c.value), null];
        out.push(row);
        if (stores.includes('bodies')) {
          const body = tx.objectStore('bodies').get(c.key);
          body.onsuccess = () => { if (body.result !== undefined) row[2] = String(body.result); };
        }
        c.continue();
      };
      tx.oncomplete = () => { db.close(); resolve(out); };
      tx.onerror = tx.onabort = () => { db.close(); resolve([]); };
    };
  });
}

// Removes one waiting report (record and body) from that shared database.
export function legacyTake(name, key) {
  return new Promise((resolve) => {
    const request = indexedDB.open(name);
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = request.onblocked = () => resolve(false);
    request.onsuccess = () => {
      const db = request.result;
      const stores = ['outbox', 'bodies'].filter((s) => db.objectStoreNames.contains(s));
      const tx = db.transaction(stores, 'readwrite', { durability: 'strict' });
      for (const s of stores) tx.objectStore(s).delete(key);
      tx.oncomplete = () => { db.close(); resolve(true); };
      tx.onerror = tx.onabort = () => { db.close(); resolve(false); };
    };
  });
}

// Tells the widget's other tabs that something they show changed ("tickets", "outbox",
// "cleared"). One channel object for both directions: it does not hear its own messages.
// Without BroadcastChannel (Safari before 15.4), a localStorage write: its `storage` event
// reaches the other tabs only.
let bus;
function channel() {
  if (bus === undefined) bus = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
  return bus;
}

export function announce(topic) {
  try {
    const ch = channel();
    if (ch) ch.postMessage(topic);
    else localStorage.setItem(SYNC_KEY, `${topic} ${Date.now()} ${Math.random()}`);
  } catch (_) { /* another tab refreshes on its next start */ }
}

// Calls `callback(topic)` for each announcement from another tab; returns the function that
// stops listening.
export function listen(callback) {
  const ch = channel();
  if (ch) {
    const onMessage = (e) => callback(String(e.data));
    ch.addEventListener('message', onMessage);
    return () => ch.removeEventListener('message', onMessage);
  }
  const onStorage = (e) => { if (e.key === SYNC_KEY && e.newValue) callback(e.newValue.split(' ')[0]); };
  addEventListener('storage', onStorage);
  return () => removeEventListener('storage', onStorage);
}

// Runs `work` (returning a promise) only if no other tab or start holds the lock;
// resolves to false when someone else has it. Without the API, runs it anyway: the
// stored lease and the idempotency key still protect the entry.
export function withLock(name, work) {
  if (navigator.locks && navigator.locks.request) {
    return navigator.locks.request(name, { ifAvailable: true }, (lock) => (lock ? work().then(() => true) : false));
  }
  return work().then(() => true);
}

// The photo pipeline: decode (honouring EXIF orientation), scale, encode as JPEG. Where the
// browser can, every step runs in public/photo-worker.js and the page stays responsive;
// otherwise (older WebViews, a worker that cannot load) the same steps run here. Handles
// from the worker are {worker: id, …}; the Rust side treats both kinds as opaque.
let photoWorker;
let nextJob = 0;
const jobs = new Map();

function workerFor() {
  if (photoWorker !== undefined) return photoWorker;
  photoWorker = null;
  if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  try {
    const worker = new Worker(new URL('photo-worker.js', document.baseURI));
    worker.onmessage = (event) => {
      const [job, ok, value] = event.data;
      const waiting = jobs.get(job);
      jobs.delete(job);
      if (waiting) (ok ? waiting.resolve : waiting.reject)(value);
    };
    worker.onerror = () => {
      // Could not load or crashed: finish on the main thread from now on.
      photoWorker = null;
      for (const waiting of jobs.values()) waiting.reject(new Error('photo worker failed'));
      jobs.clear();
    };
    photoWorker = worker;
  } catch (_) { photoWorker = null; }
  return photoWorker;
}

function ask(worker, step, args) {
  return new Promise((resolve, reject) => {
    jobs.set(++nextJob, { resolve, reject });
    worker.postMessage([nextJob, step, args]);
  });
}

export function decodeImage(file) {
  const worker = workerFor();
  if (worker) {
    return ask(worker, 'decode', [file])
      .then(([id, width, height]) => ({ worker: id, width, height }))
      .catch(() => decodeHere(file)); // the worker failed to load, or met a format only <img> reads
  }
  return decodeHere(file);
}

function decodeHere(file) {
  if (window.createImageBitmap) {
    return createImageBitmap(file, { imageOrientation: 'from-image' }).catch(() => decodeWithImg(file));
  }
  return decodeWithImg(file);
}

function decodeWithImg(file) {
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  return img.decode().then(() => img, (e) => { throw e; }).finally(() => URL.revokeObjectURL(url));
}

export function imageSize(image) {
  return [image.naturalWidth || image.width || 0, image.naturalHeight || image.height || 0];
}

// Draws the image at width×height; pixels only, so no metadata survives.
export function drawScaled(image, width, height) {
  if (image.worker) {
    return ask(photoWorker, 'draw', [image.worker, width, height]).then((id) => ({ worker: id }));
  }
  const canvasFor = (source) => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(source, 0, 0, width, height);
    return canvas;
  };
  if (window.createImageBitmap && typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) {
    return createImageBitmap(image, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' })
      .then((small) => { const canvas = canvasFor(small); small.close(); return canvas; })
      .catch(() => canvasFor(image));
  }
  return Promise.resolve(canvasFor(image));
}

export function releaseImage(image, canvas) {
  const inWorker = [image, canvas].filter((h) => h && h.worker).map((h) => h.worker);
  if (inWorker.length && photoWorker) ask(photoWorker, 'release', [inWorker]);
  if (image && image.close) image.close();
  if (canvas && !canvas.worker) { canvas.width = 0; canvas.height = 0; }
}

// JPEG as base64 without the data: prefix; toBlob encodes off the main thread.
export function jpegBase64(canvas, quality) {
  if (canvas.worker) return ask(photoWorker, 'encode', [canvas.worker, quality]);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) { reject(new Error('encode failed')); return; }
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(',')[1] || '');
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    }, 'image/jpeg', quality);
  });
}

export function copyText(text) {
  if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(text).then(() => true, () => false);
  return Promise.resolve(false);
}

// Timer ids as plain numbers: some environments (fake clocks in tests) hand out ids larger
// than the i32 that web-sys's setTimeout binding assumes.
export function later(ms, callback) {
  return setTimeout(callback, ms);
}

export function cancel(id) {
  clearTimeout(id);
}
