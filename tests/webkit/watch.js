// Served by the WebKit suite as the first script of the page (a same-origin file, so the
// strict CSP allows it): records what WebDriver cannot hear itself, in sessionStorage so it
// outlives a reload: Content-Security-Policy violations and uncaught errors.
(function () {
  var KEY = 'webkit-watch';
  function keep(entry) {
    try {
      var list = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      list.push(entry);
      sessionStorage.setItem(KEY, JSON.stringify(list));
    } catch (_) { /* storage refused: nothing to record into */ }
  }
  document.addEventListener('securitypolicyviolation', function (e) {
    keep('csp: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber);
  });
  window.addEventListener('error', function (e) {
    keep('error: ' + e.message + ' at ' + e.filename + ':' + e.lineno);
  });
  window.addEventListener('unhandledrejection', function (e) {
    keep('unhandled rejection: ' + String(e.reason && (e.reason.stack || e.reason)));
  });
})();
