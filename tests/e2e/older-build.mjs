// What the build phones run today keeps on the phone, for tests of the upgrade from it.

/** What the build phones run today keeps, written as it writes it: the database every
 * deployment on the site shares (stores 'outbox', 'aside', 'kv'), and localStorage keys. */
export function seedOlderBuild(page, { outbox = [], kv = [], local = {} }) {
  return page.evaluate(([outbox, kv, local]) => new Promise((done, fail) => {
    for (const [k, v] of Object.entries(local)) localStorage.setItem(k, v);
    const open = indexedDB.open('xinjing-safety');
    open.onupgradeneeded = () => { for (const s of ['outbox', 'aside', 'kv']) open.result.createObjectStore(s); };
    open.onsuccess = () => {
      const tx = open.result.transaction(['outbox', 'kv'], 'readwrite');
      for (const [k, v] of outbox) tx.objectStore('outbox').put(v, k);
      for (const [k, v] of kv) tx.objectStore('kv').put(v, k);
      tx.oncomplete = () => { open.result.close(); done(); };
      tx.onabort = () => fail(tx.error);
    };
    open.onerror = () => fail(open.error);
  }), [outbox, kv, local]);
}

/** [[key, value], …] of a store of that shared database. */
export function sharedRecords(page, store) {
  return page.evaluate((store) => new Promise((done, fail) => {
    const open = indexedDB.open('xinjing-safety');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains(store)) { db.close(); done([]); return; }
      const out = [];
      const cursor = db.transaction(store).objectStore(store).openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (c) { out.push([String(c.key), String(c.value)]); c.continue(); } else { db.close(); done(out); }
      };
      cursor.onerror = () => fail(cursor.error);
    };
  }), store);
}

/** The keys of a store of that shared database. */
export async function sharedKeys(page, store) {
  return (await sharedRecords(page, store)).map(([key]) => key);
}

/** A waiting report as the build phones run today keeps it: body inline. */
export function olderRecord(template, id, description, { endpoint, community } = {}) {
  const body = JSON.stringify({ ...template, id, description, location: { ...template.location, ...(community ? { community } : {}) } });
  const record = { id, body, queued_at_ms: Date.now() - 60_000, attempts: 1, next_attempt_ms: 0 };
  if (endpoint) record.endpoint = endpoint;
  return [id, JSON.stringify(record)];
}

