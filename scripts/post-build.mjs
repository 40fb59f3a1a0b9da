// Trunk post-build hook: the static first paint, the loader that defers the app, and
// strict-CSP friendly output.
// 1. Renders the static first paint (every bundled campaign, both languages) with the
//    widget's own core: crates/static-page, run natively, fills index.html.
// 2. Replaces Trunk's inline module loader (and its preloads of the app) with boot-<hash>.js
//    (named by its content, so a cached old loader never meets a new deploy), which loads the app only when it is needed (see its header), so `script-src 'self'`
//    suffices and the wasm is off the critical path. A missing or failing WebAssembly
//    leaves the static page in place and reveals its "call 12345" note.
// 3. Writes the service worker, which precaches the app for the next visit.
// 4. Fails the build if any inline <script> or style attribute remains.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { minify } from 'terser';
import { shortenNames } from './wasm-names.mjs';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('TRUNK_STAGING_DIR is not set: run through trunk');
const source = process.env.TRUNK_SOURCE_DIR || process.cwd();
const indexPath = join(dir, 'index.html');
let html = readFileSync(indexPath, 'utf8');

// Minified JS (terser): Trunk 0.21's own minifier fails on the wasm-bindgen glue. Modules
// may use what the wasm's browsers have; static.js stays ES5 for old WebViews.
const shrink = async (code, module) => {
  const out = await minify(code, { module, ecma: module ? 2020 : 5, compress: { passes: 2 }, format: { comments: false } });
  return out.code + '\n';
};

const inline = /<script type="module">([\s\S]*?)<\/script>/;
const match = html.match(inline);
if (!match) throw new Error('post-build: Trunk loader script not found in index.html');
const loader = match[1];
const js = loader.match(/import init, \* as bindings from '([^']+)'/);
const wasm = loader.match(/module_or_path: '([^']+)'/);
if (!js || !wasm) throw new Error('post-build: unexpected Trunk loader shape:\n' + loader);

// 1. The static first paint, from the bundled feed and the shipped config.
const page = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--offline', '--locked', '-p', 'xinjing-static-page', '--',
  join(dir, 'campaigns.json'), join(dir, 'config.json')], { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
if (!html.includes('<!-- xj-static -->')) throw new Error('post-build: <!-- xj-static --> placeholder not found in index.html');
// Between markers, so a server with its own campaign feed (the desk) can render it again.
html = html.replace('<!-- xj-static -->', () => '<!-- xj-static -->' + page.html + '<!-- /xj-static -->');
const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
html = html.replace(/<title>[^<]*<\/title>/, () => `<title>${escape(page.title)}</title>`);
if (page.lang) html = html.replace('<html lang="zh-CN">', () => `<html lang="${page.lang}" data-default-lang="${page.lang}">`);

// 2. The loader. Trunk's preloads would put the whole app on the critical path: dropped.
html = html.replace(/<link rel="(?:modulepreload|preload)"[^>]*>/g, '');
// The app's JS modules: the wasm-bindgen glue and the snippets it imports, minified, and
// every one named by its content. wasm-bindgen names a snippet by the crate's name and
// version only, so a long HTTP cache without a service worker (iOS WeChat) would pair a new
// release with an old browser.js. The glue and the wasm share one name, which covers the
// glue's content (with its snippets' names) and the wasm's bytes as shipped (renamed here,
// after Trunk named it by its content before).
const trunkGlue = js[1].replace('./', '');
const trunkWasm = wasm[1].replace('./', '');
const digest = (text, n = 16) => createHash('sha256').update(text).digest('hex').slice(0, n);
// The photo worker first: browser.js names it, so its name is part of browser.js's content.
const workerCode = readFileSync(join(dir, 'photo-worker.js'), 'utf8');
const worker = `photo-worker-${digest(workerCode)}.js`;
writeFileSync(join(dir, worker), workerCode);
unlinkSync(join(dir, 'photo-worker.js'));
let workerNamed = false;
let glueCode = readFileSync(join(dir, trunkGlue), 'utf8');
// Short names between the wasm and the glue (scripts/wasm-names.mjs says why): the same
// code, ~5.9 KB brotli less.
const short = shortenNames(readFileSync(join(dir, trunkWasm)), glueCode);
writeFileSync(join(dir, trunkWasm), short.wasm);
glueCode = short.glue;
const snippets = [];
for (const snippet of new Set([...glueCode.matchAll(/from ['"]\.\/(snippets\/[^'"]+)['"]/g)].map((m) => m[1]))) {
  let source = readFileSync(join(dir, snippet), 'utf8');
  if (source.includes("'photo-worker.js'")) {
    source = source.replaceAll("'photo-worker.js'", `'${worker}'`);
    workerNamed = true;
  }
  const code = await shrink(source, true);
  const named = snippet.replace(/\.js$/, `-${digest(code)}.js`);
  writeFileSync(join(dir, named), code);
  unlinkSync(join(dir, snippet));
  // The import statements only: the wasm names its imports by the original path.
  glueCode = glueCode.replace(/(from\s*)(['"])\.\/([^'"]+)\2/g, (all, from, q, path) => (path === snippet ? `${from}${q}./${named}${q}` : all));
  snippets.push(named);
}
if (!workerNamed) throw new Error("post-build: no snippet names 'photo-worker.js'");
glueCode = await shrink(glueCode, true);
const appHash = digest(glueCode + '\0' + createHash('sha256').update(short.wasm).digest('hex'));
const glue = `xinjing-safety-${appHash}.js`;
const wasmFile = `xinjing-safety-${appHash}_bg.wasm`;
writeFileSync(join(dir, glue), glueCode);
unlinkSync(join(dir, trunkGlue));
renameSync(join(dir, trunkWasm), join(dir, wasmFile));
js[1] = `./${glue}`;
wasm[1] = `./${wasmFile}`;
const boot = `// Generated by scripts/post-build.mjs from Trunk's loader.
// The static first paint in index.html is the reading experience; the app loads
// - at once when the link pre-fills a report (a poster's QR code) or reports wait in the
//   outbox (xj.outbox, counted by the app's storage adapter, under this deployment's name);
// - at the first intent to report (static.js: pointerdown or focus on an action starts it,
//   the tap itself opens the screen asked for);
// - otherwise when the page is idle, so that a tap is served from memory.
// It mounts into a hidden slot and takes the static page's place once mounted, unless the
// resident is reading a campaign's details: then at their next tap, or when they close them.
const MODULES = ${JSON.stringify([glue, ...snippets].map((m) => './' + m))};
const S = window.xjStatic || (window.xjStatic = { intent: null, warm: false });
const root = document.getElementById('xinjing-safety') || document.body;
let slot = null;
let loading = null;
let mounted = false;
let tries = 0;
const idle = () => { for (const busy of document.querySelectorAll('[aria-busy]')) busy.removeAttribute('aria-busy'); };
const fail = (why) => {
  document.documentElement.classList.add('xj-no-wasm');
  idle();
  console.error('xinjing-safety could not start:', why);
};
// Only a browser that cannot run the app is told so for good. Anything else (no signal, a
// download cut off, a server error) is tried again at the next tap and when the phone comes
// back online; the screen asked for opens then.
const failed = (why) => {
  if (why instanceof SyntaxError || why instanceof WebAssembly.CompileError || why instanceof WebAssembly.LinkError || why instanceof WebAssembly.RuntimeError) return fail(why);
  loading = null;
  slot?.remove();
  document.documentElement.classList.add('xj-no-signal');
  idle();
  console.warn('xinjing-safety: the app could not be downloaded; trying again when the signal is back:', why);
};
addEventListener('online', () => { if (tries && !loading && !mounted) load(); });
const load = () => {
  if (loading) return;
  document.documentElement.classList.remove('xj-no-signal');
  // Everything the app needs, requested at once instead of one round trip after another
  // (glue, then its snippets, then the wasm, then the config).
  for (const [rel, href, type] of tries ? [] : [['preload', '${wasm[1]}', 'application/wasm'], ['preload', 'config.json'], ...MODULES.map((m) => ['modulepreload', m])]) {
    const link = Object.assign(document.createElement('link'), { rel, href, crossOrigin: 'anonymous' });
    if (rel === 'preload') link.as = 'fetch';
    if (type) link.type = type;
    document.head.append(link);
  }
  slot = Object.assign(document.createElement('div'), { id: 'xj-app', hidden: true });
  root.append(slot);
  // A module, or a preload, whose download failed stays failed under its URL for the
  // page's life: a retry asks under a new one.
  const again = tries ? '?retry=' + tries : '';
  tries += 1;
  loading = import('${js[1]}' + again)
    .then((m) => m.default({ module_or_path: '${wasm[1]}' + again }))
    .then((wasm) => {
      dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
      // Keeps the app openable without signal after the first visit (where supported:
      // not in iOS WeChat, whose WebView has no service workers; the app works without).
      if ('serviceWorker' in navigator && location.protocol !== 'file:') {
        navigator.serviceWorker.register('./sw.js').catch(() => {});
      }
    })
    .catch(failed);
};
// The screen asked for on the static page, opened in the app as the resident would.
const open = (intent) => {
  const [kind, id] = [intent.split(':')[0], intent.slice(intent.indexOf(':') + 1)];
  const tabs = slot.querySelectorAll('.xj-tabs .xj-tab');
  const card = kind === 'report' && intent.includes(':') && document.getElementById('xj-c-' + id);
  const target = (card && card.closest('.xj-card')?.querySelector('.xj-primary')) || tabs[kind === 'mine' ? 2 : 1];
  target?.click();
};
// The static report form in the page's language, if in use: shown (a QR link, the report tab
// before the app was there) or typed into before the resident went elsewhere.
const staticForm = (paint) => {
  const html = document.documentElement;
  const form = paint.querySelector('.xj-s-form.xj-s-' + (html.classList.contains('xj-en') ? 'en' : 'zh') + ' form');
  return form && (html.classList.contains('xj-s-report') || form.hasAttribute('data-xj-touched')) ? form : null;
};
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const until = async (test, frames) => { for (let i = 0; i < frames && !test(); i++) await frame(); return test(); };
// Each static field's value goes into the app's field of the same name, as typing would
// (an input or change event), so the app's own handlers take it into the draft.
const copy = (form) => {
  for (const el of form.elements) {
    const target = el.name && slot.querySelector('#xj-' + el.name.replace('_', '-'));
    if (!target) continue;
    const checkbox = el.type === 'checkbox';
    if (checkbox ? target.checked === el.checked : target.value === el.value) continue;
    if (checkbox) target.checked = el.checked; else target.value = el.value;
    target.dispatchEvent(new Event(checkbox || target.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
  }
};
// The app takes over what was typed, chosen and ticked, then the focus and the caret.
const adopt = async (form) => {
  if (!slot.querySelector('#xj-form-title')) slot.querySelectorAll('.xj-tabs .xj-tab')[1]?.click();
  // The form's photo and contact parts are built a task after its first fields.
  await until(() => slot.querySelector('#xj-category') && slot.querySelector('#xj-share-contact'), 120);
  copy(form);
  // What the choices open in the app (contact fields after consent) is drawn in a frame.
  await until(() => !form.elements.share_contact?.checked || slot.querySelector('#xj-phone'), 30);
  copy(form);
  const active = document.activeElement;
  return active && form.contains(active) && active.name
    ? { name: active.name, start: active.selectionStart, end: active.selectionEnd }
    : null;
};
let adopting = false;
const reveal = async () => {
  const paint = document.getElementById('xj-static');
  if (!mounted || adopting || (paint && !S.intent && paint.querySelector('details[open]'))) return;
  const form = paint && staticForm(paint);
  let focus = null;
  if (form) {
    adopting = true;
    focus = await adopt(form).finally(() => { adopting = false; });
    copy(form);
  }
  paint?.remove();
  slot.hidden = false;
  const intent = S.intent;
  S.intent = null;
  if (!form) {
    if (intent) open(intent);
    return;
  }
  const field = focus && slot.querySelector('#xj-' + focus.name.replace('_', '-'));
  if (field) {
    field.focus({ preventScroll: true });
    if (typeof focus.start === 'number') try { field.setSelectionRange(focus.start, focus.end); } catch (_) { /* not a text field */ }
  }
  // "Send" was pressed on the static form: once, through the app's form and its outbox.
  if (S.send) {
    S.send = false;
    slot.querySelector('form.xj-form button[type="submit"]')?.click();
  } else if (intent && intent !== 'report') {
    open(intent);
  }
};
addEventListener('xj-mounted', () => { mounted = true; S.mounted = true; reveal(); });
document.addEventListener('toggle', reveal, true);
S.changed = () => { load(); reveal(); };
if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
  fail('no WebAssembly');
} else {
  const query = new URLSearchParams(location.search);
  let waiting = 0;
  // The count's name is the deployment's (core::deployment::scoped_name): its folder.
  const folder = location.pathname.slice(0, location.pathname.lastIndexOf('/') + 1) || '/';
  const count = folder === '/' ? 'xj.outbox' : 'xj.outbox@' + folder;
  try { waiting = Number(localStorage.getItem(count)) || 0; } catch (_) { /* no storage */ }
  if (!document.getElementById('xj-static') || query.get('community') || query.get('building') || waiting > 0 || S.warm || S.intent) {
    load();
  } else {
    const idle = () => (window.requestIdleCallback || setTimeout).call(window, load, { timeout: 2000 });
    if (document.readyState === 'complete') idle();
    else addEventListener('load', idle, { once: true });
  }
}
`;
// Versioned by content: a browser or proxy holding an old loader under a long max-age can
// never pair it with a new deploy (whose hashed files it would not find).
const bootCode = await shrink(boot, true);
const bootName = `boot-${createHash('sha256').update(bootCode).digest('hex').slice(0, 12)}.js`;
writeFileSync(join(dir, bootName), bootCode);
// Browsers too old for modules skip boot.js; this one tells them to show the fallback.
writeFileSync(join(dir, 'nomodule.js'), "document.documentElement.className += ' xj-no-wasm';\n");
html = html.replace(inline, `<script type="module" src="./${bootName}"></script><script nomodule src="./nomodule.js"></script>`);

// The service worker: hashed assets cache-first; the page, config and feed network-first so
// a deployer's edits reach residents at once, with the cached copy when offline.
// The app's files are no longer named by the page: the glue, its snippets and the wasm.
const assets = [...new Set([...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1])
  .concat([glue, ...snippets, wasm[1].replace('./', ''), worker]))]; // addAll rejects duplicates
// static.js: minified in place, so its integrity attribute is computed again.
for (const [tag, file] of html.matchAll(/<script src="\.\/(static-[^"]+\.js)"[^>]*>/g)) {
  const code = await shrink(readFileSync(join(dir, file), 'utf8'), false);
  writeFileSync(join(dir, file), code);
  const integrity = 'sha384-' + createHash('sha384').update(code).digest('base64');
  html = html.replace(tag, () => tag.replace(/integrity="[^"]*"/, `integrity="${integrity}"`));
}
const version = createHash('sha256').update(assets.join('|')).digest('hex').slice(0, 12);
// public/sw.js is the source; the build's manifest takes the place of its marked line.
const swSource = readFileSync(new URL('../public/sw.js', import.meta.url), 'utf8');
const marker = /^const MANIFEST = .*xinjing-manifest$/m;
if (!marker.test(swSource)) throw new Error('post-build: manifest line not found in public/sw.js');
const sw = swSource.replace(marker, `const MANIFEST = ${JSON.stringify({ version, assets })};`);
writeFileSync(join(dir, 'sw.js'), sw);

if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) throw new Error('post-build: an inline <script> remains');
if (/\sstyle=/.test(html)) throw new Error('post-build: an inline style attribute remains');
writeFileSync(indexPath, html);
console.log(`post-build: static first paint (${Buffer.byteLength(page.html)} bytes), loader in ${bootName}, ${assets.length} assets precached`);
