/* Xinjing safety widget embed, no dependencies. Usage on a community H5 page:
   <div data-xinjing-widget data-src="https://widget.example.cn/xinjing/"></div>
   <script src="https://widget.example.cn/xinjing/embed.js" async></script>
   Inserts an iframe and sizes it from the widget's height messages, accepting them only
   from the widget's own origin and frame. The widget's config must list this page's origin
   in parent_origins. */
(function () {
  function mount(host) {
    var src = host.getAttribute('data-src');
    if (!src || host.getAttribute('data-xinjing-mounted')) return;
    host.setAttribute('data-xinjing-mounted', '1');
    var origin = new URL(src, location.href).origin;
    var frame = document.createElement('iframe');
    frame.src = src;
    frame.title = host.getAttribute('data-title') || '新泾安全随手报 Xinjing Safety';
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.style.width = '100%';
    frame.style.height = (host.getAttribute('data-height') || 640) + 'px';
    frame.style.border = '0';
    frame.style.display = 'block';
    window.addEventListener('message', function (event) {
      var data = event.data;
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      if (!data || data.type !== 'xinjing:height') return;
      var height = Number(data.height);
      if (height > 0 && height < 20000) frame.style.height = Math.ceil(height) + 'px';
    });
    frame.addEventListener('load', function () {
      frame.contentWindow.postMessage({ type: 'xinjing:hello' }, origin);
    });
    host.appendChild(frame);
  }
  var hosts = document.querySelectorAll('[data-xinjing-widget]');
  for (var i = 0; i < hosts.length; i++) mount(hosts[i]);
})();
