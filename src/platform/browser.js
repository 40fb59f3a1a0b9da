// Small browser adapters that are far shorter in JS than through web-sys bindings:
// the tabs' channel, the Web Locks API, and the photo pipeline's async steps (IndexedDB is
// in idb.js). No policy lives here: the Rust core decides what to send and how big photos are.

// This deployment's names (the Rust side decides them): these are the ones of a widget at
// the site's root, and of every build before deployments had their own.
let CHANNEL = 'xinjing-safety';
let SYNC_KEY = 'xj.sync';

export function useChannelNames(channel, sync) {
  CHANNEL = channel;
  SYNC_KEY = sync;
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
