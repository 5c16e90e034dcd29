// desk-loader's last resort, off the path of every boot that works.
// `deskLoaderUnavailable(code, detail)` shows the error screen and reports it
// at once. boot.js imports this file and calls it when the WebAssembly module
// or its glue cannot load (`loader.unavailable`). A browser that cannot run
// ES modules never runs boot.js: it runs this file instead, from
// <script nomodule>, and it calls it itself (`loader.unsupported`), so the
// agent gets an answer instead of an endless loading state. Modern browsers
// never fetch a nomodule script.
// Written in ES5, valid as a classic script and as a module: it must run in
// the oldest webview that loads the page.
(function () {
  "use strict";

  function options() {
    try {
      var el = document.getElementById("desk-loader-options");
      var parsed = el ? JSON.parse(el.textContent) : {};
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (e) {
      return {};
    }
  }

  // The same rule as the loader's: the page's own origin, or one the host page allows.
  function allowed(url, allowedOrigins) {
    try {
      var origin = new URL(url, location.href).origin;
      return origin === location.origin || (allowedOrigins || []).indexOf(origin) >= 0;
    } catch (e) {
      return false;
    }
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function unavailable(code, detail) {
    var opts = options();
    var mount = (typeof opts.mount === "string" && document.querySelector(opts.mount)) ||
      document.getElementById("desk") || document.body;
    var screen = element("section", "desk-loader-error");
    screen.setAttribute("role", "alert");
    screen.setAttribute("tabindex", "-1");
    screen.setAttribute("data-desk-error", code);
    screen.appendChild(element("h1", "", "The desk could not start"));
    screen.appendChild(element("p", "", code === "loader.unsupported"
      ? "This browser or app version is too old for the desk. Update it, or use another browser; your conversations are safe."
      : "Your conversations are safe. Reload the page in a moment; if this goes on, tell your support team."));
    screen.appendChild(element("p", "desk-loader-code", "Support code: " + code + " (" + detail + ")"));
    while (mount.firstChild) mount.removeChild(mount.firstChild);
    mount.appendChild(screen);
    mount.setAttribute("data-desk-state", "failed");
    mount.setAttribute("aria-busy", "false");
    screen.focus();

    var report = JSON.stringify({
      format: 1, outcome: "failed", release: null, code: code, supportCode: null,
      at: new Date().toISOString(),
      problems: [{ code: code, severity: "error", message: detail }]
    });
    if (typeof opts.reportUrl === "string" && allowed(opts.reportUrl, opts.allowedOrigins)) {
      // A fetch that ends with the page, aborted after 5 s, as the loader's
      // own (docs/report.md, "Delivery"); a beacon only where there is no fetch.
      try {
        if (window.fetch) {
          var controller = window.AbortController ? new AbortController() : null;
          if (controller) setTimeout(function () { controller.abort(); }, 5000);
          fetch(opts.reportUrl, { method: "POST", body: report, signal: controller ? controller.signal : undefined })["catch"](function () {});
        } else if (navigator.sendBeacon) {
          navigator.sendBeacon(opts.reportUrl, report);
        }
      } catch (e) { /* the screen is what matters */ }
    }
    if (window.console) console.error("desk-loader: " + report);
  }

  window.deskLoaderUnavailable = unavailable;
  if (!("noModule" in document.createElement("script"))) {
    unavailable("loader.unsupported", "this browser cannot run ES modules");
  }
})();
