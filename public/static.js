// The static first paint's few behaviours, before and without the app (a classic script in
// <head>, so it runs before the body is drawn; plain ES5 for old WebViews):
// - the language and text size, chosen as the app chooses them (saved choice, ?lang=, the
//   deployment's default, the browser's languages), as classes on <html>;
// - campaigns not running on the reader's Shanghai day are hidden as they are parsed;
// - the language and large-text buttons work, and save the choice where the app reads it;
// - a tap on an action ("report this", the report and my-reports tabs) is handed to boot.js,
//   which starts the app and opens the screen asked for (window.xjStatic);
// - the report form (a QR link's place filled in, or the report tab before the app is there)
//   takes typing at once; "send" is kept until the app is there (S.send), and boot.js hands
//   everything to the app's own form. This form never sends anything itself.
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
  // Read as the app reads them (trimmed, at most 100 characters).
  function param(name) {
    var v = (new RegExp('[?&]' + name + '=([^&#]*)').exec(location.search) || [])[1];
    try { v = v ? decodeURIComponent(v.replace(/\+/g, ' ')) : ''; } catch (e) { v = ''; }
    return v.replace(/^\s+|\s+$/g, '').slice(0, 100);
  }
  var place = { community: param('community'), building: param('building') };
  // A poster's QR link opens on the form, from the first paint (a class, so before the body).
  var report = !!(place.community || place.building);

  function apply() {
    html.setAttribute('lang', lang || 'zh-CN');
    html.className = html.className.replace(/\s*\bxj-(en|big|s-report)\b/g, '') + (lang === 'en' ? ' xj-en' : '') + (large ? ' xj-big' : '') + (report ? ' xj-s-report' : '');
    var tabs = document.querySelectorAll('#xj-static .xj-tab');
    for (var t = 0; t < tabs.length; t++) {
      var current = report ? tabs[t].getAttribute('data-xj-go') === 'report' : tabs[t].getAttribute('data-xj-do') === 'campaigns';
      if (current) tabs[t].setAttribute('aria-current', 'page'); else tabs[t].removeAttribute('aria-current');
    }
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
  // The report form: one copy per language (zh first), the one not in use hidden.
  function forms() { return document.querySelectorAll('#xj-static form[data-xj-form]'); }
  function setField(form, name, value) {
    var el = form.elements[name];
    if (!el || value === undefined || value === null) return;
    if (el.type === 'checkbox') el.checked = !!value; else el.value = value;
  }
  // What the app shows as the resident types: the count, contact fields after consent, the
  // danger note.
  function refresh(form) {
    var text = form.elements.description, count = form.querySelector('[data-xj-count]');
    if (text && count) {
      var v = text.value.replace(/^\s+|\s+$/g, ''), n = 0;
      for (var i = 0; i < v.length; i++) { var c = v.charCodeAt(i); if (c < 0xdc00 || c > 0xdfff) n++; }
      count.textContent = count.getAttribute('data-xj-count').replace('{n}', String(n));
    }
    var consent = form.elements.share_contact;
    var parts = form.querySelectorAll('.xj-s-contact');
    for (var p = 0; p < parts.length; p++) parts[p].hidden = !(consent && consent.checked);
    var danger = form.querySelector('.xj-s-danger');
    if (danger) danger.hidden = !(form.elements.category && form.elements.category.value === 'danger');
  }
  function stored(key) { try { return JSON.parse(get(key) || 'null'); } catch (e) { return null; } }
  // What the app would restore: the unfinished draft, a remembered contact, the link's place.
  function fillForms() {
    var draft = stored('xj.draft') || {};
    var contact = stored('xj.contact');
    var list = forms();
    for (var f = 0; f < list.length; f++) {
      var form = list[f];
      setField(form, 'category', draft.category || '');
      setField(form, 'community', draft.community || place.community);
      setField(form, 'building', draft.building || place.building);
      setField(form, 'spot', draft.spot);
      setField(form, 'description', draft.description);
      if (contact && typeof contact.phone === 'string') {
        setField(form, 'share_contact', true);
        setField(form, 'name', contact.name);
        setField(form, 'phone', contact.phone);
        setField(form, 'remember', true);
      }
      refresh(form);
    }
  }
  // The language switched: the other copy takes what was typed in this one.
  function copyForms(fromEn) {
    var list = forms();
    if (list.length < 2) return;
    var from = list[fromEn ? 1 : 0], to = list[fromEn ? 0 : 1];
    for (var i = 0; i < from.elements.length; i++) {
      var el = from.elements[i];
      if (el.name) setField(to, el.name, el.type === 'checkbox' ? el.checked : el.value);
    }
    var marks = ['data-xj-touched', 'data-xj-pending'];
    for (var m = 0; m < marks.length; m++) if (from.hasAttribute(marks[m])) to.setAttribute(marks[m], '');
    var note = to.querySelector('.xj-s-pending');
    if (note && to.hasAttribute('data-xj-pending')) note.hidden = false;
    refresh(to);
  }
  function showForm(focus) {
    report = true;
    apply();
    var heading = focus && document.getElementById('xj-s-' + (lang === 'en' ? 'en' : 'zh') + '-form-title');
    if (heading) heading.focus();
  }
  function formOf(target) { return action(target, 'data-xj-form'); }
  // Marked as typed into, so the app takes the words over even if the resident went to
  // another screen meanwhile.
  function changed(event) {
    var form = formOf(event.target);
    if (form) { form.setAttribute('data-xj-touched', ''); refresh(form); }
  }
  document.addEventListener('input', changed);
  document.addEventListener('change', changed);
  // "Send" before the app is there: kept, said, and handed on (boot.js sends it once, through
  // the app's form, when the app is there).
  document.addEventListener('submit', function (event) {
    var form = formOf(event.target);
    if (!form) return;
    event.preventDefault();
    form.setAttribute('data-xj-pending', '');
    var note = form.querySelector('.xj-s-pending');
    if (note) note.hidden = false;
    S.send = true;
    S.intent = 'report';
    if (S.changed) S.changed();
  });

  document.addEventListener('DOMContentLoaded', function () {
    if (observer) observer.disconnect();
    checkAll();
    fillForms();
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
      var what = tool.getAttribute('data-xj-do');
      if (what === 'campaigns') {
        report = false;
      } else if (what === 'lang') {
        copyForms(lang === 'en');
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
      S.intent = go.getAttribute('data-xj-go');
      // The report tab before the app is there: the static form, typed into at once.
      if (S.intent === 'report' && !S.mounted) {
        showForm(true);
      } else {
        if (S.intent !== 'report' && report) { report = false; apply(); }
        go.setAttribute('aria-busy', 'true');
      }
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
