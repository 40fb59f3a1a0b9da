// The static first paint's few behaviours, before and without the app (a classic script in
// <head>, so it runs before the body is drawn; plain ES5 for old WebViews):
// - the language and text size, chosen as the app chooses them (saved choice, ?lang=, the
//   deployment's default, the browser's languages), as classes on <html>;
// - campaigns not running on the reader's Shanghai day are hidden as they are parsed;
// - the language and large-text buttons work, and save the choice where the app reads it;
// - a tap on an action ("report this", the report and my-reports tabs) is handed to boot.js,
//   which starts the app and opens the screen asked for (window.xjStatic).
(function () {
  var html = document.documentElement;
  var S = (window.xjStatic = window.xjStatic || { intent: null, warm: false });
  var store = null;
  try { store = window.localStorage; } catch (e) { /* private mode: nothing is saved */ }
  function get(key) { try { return store ? store.getItem(key) : null; } catch (e) { return null; } }
  function set(key, value) { try { if (store) store.setItem(key, value); } catch (e) { /* full */ } }
  function tag(t) {
    t = String(t || '').replace(/^\s+|\s+$/g, '').toLowerCase();
    return t.indexOf('zh') === 0 ? 'zh-CN' : t.indexOf('en') === 0 ? 'en' : null;
  }
  var query = (/[?&]lang=([^&#]*)/.exec(location.search) || [])[1];
  try { query = query && decodeURIComponent(query.replace(/\+/g, ' ')); } catch (e) { query = null; }
  var lang = tag(get('xj.lang')) || tag(query) || tag(html.getAttribute('data-default-lang'));
  var browser = navigator.languages || [navigator.language];
  for (var i = 0; !lang && i < browser.length; i++) lang = tag(browser[i]);
  var large = get('xj.large') === '1';

  function apply() {
    html.setAttribute('lang', lang || 'zh-CN');
    html.className = html.className.replace(/\s*\bxj-(en|big)\b/g, '') + (lang === 'en' ? ' xj-en' : '') + (large ? ' xj-big' : '');
    var pressed = document.querySelectorAll('#xj-static [data-xj-do="large"]');
    for (var i = 0; i < pressed.length; i++) pressed[i].setAttribute('aria-pressed', String(large));
  }
  apply();

  // Shanghai is UTC+8 all year: its calendar day is the UTC day of now + 8 h.
  var today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  function check(card) {
    var start = card.getAttribute('data-start'), end = card.getAttribute('data-end');
    if (start && end) card.hidden = !(start <= today && today <= end);
  }
  function checkAll() {
    var cards = document.querySelectorAll('#xj-static [data-start]');
    var shown = 0;
    for (var i = 0; i < cards.length; i++) { check(cards[i]); if (!cards[i].hidden) shown++; }
    var empty = document.querySelector('#xj-static .xj-empty');
    if (empty) empty.hidden = shown > 0;
  }
  // Parser-inserted cards are hidden before anything is drawn (observer callbacks run
  // before rendering); the full pass at DOMContentLoaded settles the empty state.
  var observer = window.MutationObserver && new MutationObserver(function (records) {
    for (var r = 0; r < records.length; r++) {
      var added = records[r].addedNodes;
      for (var n = 0; n < added.length; n++) if (added[n].nodeType === 1 && added[n].hasAttribute('data-start')) check(added[n]);
    }
  });
  if (observer) observer.observe(html, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', function () {
    if (observer) observer.disconnect();
    checkAll();
    apply();
  });

  function action(target, name) {
    while (target && target.nodeType === 1) {
      if (target.hasAttribute(name)) return target;
      target = target.parentNode;
    }
    return null;
  }
  document.addEventListener('click', function (event) {
    var tool = action(event.target, 'data-xj-do');
    if (tool) {
      if (tool.getAttribute('data-xj-do') === 'lang') {
        lang = lang === 'en' ? 'zh-CN' : 'en';
        set('xj.lang', lang);
      } else {
        large = !large;
        set('xj.large', large ? '1' : '0');
      }
      apply();
      return;
    }
    var go = action(event.target, 'data-xj-go');
    if (go) {
      go.setAttribute('aria-busy', 'true');
      S.intent = go.getAttribute('data-xj-go');
      if (S.changed) S.changed();
    }
  });
  // The first sign of an intent to report starts the app, before the tap completes.
  function warm(event) {
    if (!S.warm && action(event.target, 'data-xj-go')) {
      S.warm = true;
      if (S.changed) S.changed();
    }
  }
  document.addEventListener('pointerdown', warm, true);
  document.addEventListener('touchstart', warm, true);
  document.addEventListener('focusin', warm, true);
})();
