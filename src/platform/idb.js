// IndexedDB as promises, for the outbox, the reports set aside and "my reports" (kv).
// No policy lives here: the Rust core decides what to store and what is whose.

// This deployment's names (the Rust side decides them): these are the ones of a widget at
// the site's root, and of every build before deployments had their own.
let DB_NAME = 'xinjing-safety';
let WAITING_KEY = 'xj.outbox';

export function useDbNames(db, waiting) {
  DB_NAME = db;
  WAITING_KEY = waiting;
}

// 'reports': each waiting report's small record, which a lease or an attempt's result
// rewrites; 'bodies': its body (its photos), written once. Older builds never read either:
// they keep their reports, body inline, in 'outbox', which this build takes over from
// (idbAdopt) and otherwise leaves to them, so an older tab open beside this one never reads
// a record of this build's as a report.
const STORES = ['outbox', 'reports', 'bodies', 'aside', 'kv'];
const WAITING = ['reports', 'outbox'];
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
    const tx = db.transaction(WAITING, 'readonly');
    const counts = WAITING.map((name) => tx.objectStore(name).count());
    tx.oncomplete = () => {
      const n = counts.reduce((sum, c) => sum + c.result, 0);
      try { localStorage.setItem(WAITING_KEY, String(n)); } catch (_) { /* no storage */ }
      if (n > 0) askToPersist();
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
      if (mode === 'readwrite' && stores.some((s) => WAITING.includes(s))) noteWaiting(db);
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
  return run(['reports', 'bodies'], 'readwrite', (tx) => {
    tx.objectStore('bodies').put(body, key);
    return tx.objectStore('reports').put(json, key);
  });
}

// A waiting report written with its body only if none is kept under `key` yet (a takeover
// resumed after a crash must not overwrite a copy that has moved on since); resolves to
// whether it wrote.
export function idbAddReport(key, json, body) {
  let wrote = false;
  return run(['reports', 'bodies'], 'readwrite', (tx) => {
    const reports = tx.objectStore('reports');
    const get = reports.getKey(key);
    get.onsuccess = () => {
      if (get.result !== undefined) return;
      wrote = true;
      tx.objectStore('bodies').put(body, key);
      reports.put(json, key);
    };
    return null;
  }).then(() => wrote);
}

// A waiting report deleted: its record and its body.
export function idbRemoveReport(key) {
  return run(['reports', 'bodies'], 'readwrite', (tx) => {
    tx.objectStore('bodies').delete(key);
    return tx.objectStore('reports').delete(key);
  });
}

// Stores the body of a report an older build kept inline, only if the report is still
// waiting; resolves to whether it was.
export function idbKeepBody(key, body) {
  let found = false;
  return run(['reports', 'bodies'], 'readwrite', (tx) => {
    const get = tx.objectStore('reports').getKey(key);
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

// "Clear my data", in one transaction: this build's stores whole; in 'outbox' and 'kv',
// which older builds of every deployment on the site share at its root, each record
// `keep(store, value)` does not claim for another deployment.
export function idbWipe(keep) {
  return run(STORES, 'readwrite', (tx) => {
    for (const name of STORES) {
      if (name !== 'outbox' && name !== 'kv') { tx.objectStore(name).clear(); continue; }
      const cursor = tx.objectStore(name).openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return;
        if (!keep(name, String(c.value))) c.delete();
        c.continue();
      };
    }
    return null;
  });
}

// Takes one waiting report an older build kept in 'outbox' into this build's layout, in
// one transaction: `change(record)` says what to keep ([record, body]), [] to set an
// unreadable record aside, or null (not ours, or an older tab is sending it). Copied first and deleted after in that transaction, so
// a full disk aborts the whole and the old record stays, to be taken on a later pass; and
// an older tab can never send a record this build also sends. Resolves to whether it moved.
export function idbAdopt(key, change) {
  let moved = false;
  return run(['outbox', 'reports', 'bodies', 'aside'], 'readwrite', (tx) => {
    const get = tx.objectStore('outbox').get(key);
    get.onsuccess = () => {
      const taken = get.result === undefined ? null : change(String(get.result));
      if (!taken) return;
      if (taken.length === 0) {
        tx.objectStore('aside').put(get.result, key);
      } else {
        tx.objectStore('reports').put(taken[0], key);
        tx.objectStore('bodies').put(taken[1], key);
      }
      tx.objectStore('outbox').delete(key);
      moved = true;
    };
    return null;
  }).then(() => moved);
}

// Bodies whose report is gone (neither waiting nor set aside), in one transaction.
export function idbSweepBodies() {
  return run(['reports', 'aside', 'bodies'], 'readwrite', (tx) => {
    const kept = new Set();
    const keys = [tx.objectStore('reports').getAllKeys(), tx.objectStore('aside').getAllKeys()];
    let pending = keys.length;
    for (const k of keys) {
      k.onsuccess = () => {
        for (const key of k.result) kept.add(String(key));
        if (--pending > 0) return;
        const bodies = tx.objectStore('bodies').getAllKeys();
        bodies.onsuccess = () => {
          for (const key of bodies.result) if (!kept.has(String(key))) tx.objectStore('bodies').delete(key);
        };
      };
    }
    return null;
  });
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
  return run(['reports', 'bodies', 'kv'], 'readwrite', (tx) => {
    const outbox = tx.objectStore('reports');
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
  return run(['reports', 'aside'], 'readwrite', (tx) => {
    const get = tx.objectStore('reports').getKey(key);
    get.onsuccess = () => {
      if (get.result === undefined) return;
      tx.objectStore('aside').put(value, key);
      tx.objectStore('reports').delete(key);
    };
    return null;
  });
}

// The database older builds of every deployment on the site shared (`name`), for a
// deployment off the root to take over what is its own: opened as it is, never created,
// and let go after each transaction. `work(tx)` runs in one transaction on `store`.
// Resolves null only when there is no such database or store; an open that fails is an
// error, so that a delete that did not happen is never taken for one that did.
function legacyRun(name, store, mode, work) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    let none = false;
    request.onupgradeneeded = () => { none = true; request.transaction.abort(); };
    request.onerror = () => (none ? resolve(null) : reject(request.error || new Error('open failed')));
    request.onblocked = () => reject(new Error('open blocked'));
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(store)) { db.close(); resolve(null); return; }
      const tx = mode === 'readwrite' ? db.transaction([store], mode, { durability: 'strict' }) : db.transaction([store], mode);
      const result = work(tx.objectStore(store));
      tx.oncomplete = () => { db.close(); resolve(result); };
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error || new Error('transaction aborted')); };
    };
  });
}

// [[key, value], …] of a store there (keys starting with `prefix`).
export function legacyEntries(name, store, prefix) {
  return legacyRun(name, store, 'readonly', (os) => {
    const out = [];
    const cursor = os.openCursor(prefix ? IDBKeyRange.bound(prefix, prefix + '\uffff') : undefined);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (c) { out.push([String(c.key), String(c.value)]); c.continue(); }
    };
    return out;
  }).then((out) => out || []);
}

// Read-modify-write of one record there, as idbUpdate; resolves to the text written.
export function legacyUpdate(name, store, key, change) {
  return legacyRun(name, store, 'readwrite', (os) => {
    const out = { written: null };
    const get = os.get(key);
    get.onsuccess = () => {
      const next = change(get.result === undefined ? null : String(get.result));
      if (get.result !== undefined && typeof next === 'string') { os.put(next, key); out.written = next; }
    };
    return out;
  }).then((out) => (out ? out.written : null));
}

export function legacyDelete(name, store, key) {
  return legacyRun(name, store, 'readwrite', (os) => { os.delete(key); return true; });
}

