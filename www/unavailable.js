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

  // The same rule as the loader's (crates/core/src/origin.rs): the page's own origin,
  // or one the host page allows, judged by the browser's own URL parser; a
  // URL the loader refuses to judge (a backslash, a space or control
  // character, user info) is refused here too.
  function allowed(url, allowedOrigins) {
    try {
      if (/[^\x21-\x7e]|\\/.test(url)) return false;
      // Where the browser sends it: against the base URL, which a <base href> may move.
      var parsed = new URL(url, document.baseURI);
      if (parsed.username || parsed.password) return false;
      // An entry counts only when it is an origin as browsers write one, as
      // the loader reads allowedOrigins (crates/core/src/origin.rs, parse_origin).
      var origins = (allowedOrigins || []).map(function (o) {
        try {
          var u = new URL(o);
          var plain = !/[^\x21-\x7e]|\\/.test(o) && /^https?:$/.test(u.protocol) && u.pathname === "/";
          return plain && !u.search && !u.hash && !u.username && !u.password ? u.origin : null;
        } catch (e) { return null; }
      });
      return parsed.origin === location.origin || origins.indexOf(parsed.origin) >= 0;
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

  // The same support code as the loader's: <code>-<6 base-36 digits of the time in s>.
  function supportCode(code) {
    var n = Math.floor(Date.now() / 1000) % Math.pow(36, 6);
    var stamp = "";
    for (var i = 0; i < 6; i++) {
      stamp = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".charAt(n % 36) + stamp;
      n = Math.floor(n / 36);
    }
    return code + "-" + stamp;
  }

  // The same bridges as the loader's (docs/embed.md, "Native bridge"); one that throws is skipped.
  function bridge(message) {
    var text = JSON.stringify(message);
    try { if (window.DeskLoaderBridge) window.DeskLoaderBridge.postMessage(text); } catch (e) { /* next */ }
    try {
      var handlers = window.webkit && window.webkit.messageHandlers;
      if (handlers && handlers.deskLoader) handlers.deskLoader.postMessage(message);
    } catch (e) { /* next */ }
    try { if (window.ReactNativeWebView) window.ReactNativeWebView.postMessage(text); } catch (e) { /* done */ }
  }

  // With reportFormat "otlp": the report as an OTLP logs request, the same
  // fields the loader's own would carry (docs/report.md, "OpenTelemetry").
  function otlp(report) {
    function str(key, value) { return { key: key, value: { stringValue: value } }; }
    return { resourceLogs: [{
      resource: { attributes: [str("service.name", "desk-loader")] },
      scopeLogs: [{ scope: { name: "desk-loader" }, logRecords: [{
        timeUnixNano: String(Date.parse(report.at)) + "000000",
        severityNumber: 17, severityText: "ERROR",
        body: { stringValue: "desk-loader: failed (" + report.code + ", no release)" },
        attributes: [str("event.name", "desk_loader.boot"), str("desk_loader.outcome", "failed"), str("error.type", report.code),
          str("desk_loader.support_code", report.supportCode),
          { key: "desk_loader.problems", value: { arrayValue: { values: [{ stringValue: "error " + report.code + ": " + report.problems[0].message }] } } }]
      }] }]
    }] };
  }

  function unavailable(code, detail) {
    var opts = options();
    var mount = (typeof opts.mount === "string" && document.querySelector(opts.mount)) ||
      document.getElementById("desk") || document.body;
    var support = supportCode(code);
    var screen = element("section", "desk-loader-error");
    screen.setAttribute("role", "alert");
    screen.setAttribute("tabindex", "-1");
    screen.setAttribute("data-desk-error", code);
    screen.appendChild(element("h1", "", "The desk could not start"));
    screen.appendChild(element("p", "", code === "loader.unsupported"
      ? "This browser or app version is too old for the desk. Update it, or use another browser; your conversations are safe."
      : "Your conversations are safe. Reload the page in a moment; if this goes on, tell your support team and quote the code below."));
    var codeLine = element("p", "desk-loader-code", "Support code: ");
    codeLine.appendChild(element("strong", "", support));
    screen.appendChild(codeLine);
    var details = element("details", "", "");
    details.appendChild(element("summary", "", "Technical details"));
    details.appendChild(element("p", "", detail));
    screen.appendChild(details);
    while (mount.firstChild) mount.removeChild(mount.firstChild);
    mount.appendChild(screen);
    // What docs/embed.md promises for every failure: the attributes, the event, the bridges.
    mount.setAttribute("data-desk-state", "failed");
    mount.setAttribute("data-desk-error", code);
    mount.removeAttribute("data-desk-release");
    mount.setAttribute("aria-busy", "false");
    announce(mount, "desk-loader:state", { state: "failed", release: null, attempt: null, code: code });
    bridge({ type: "desk-loader:state", state: "failed", release: null, attempt: null, code: code });
    screen.focus();

    var report = {
      format: 1, outcome: "failed", release: null, code: code, supportCode: support,
      at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      problems: [{ code: code, severity: "error", message: detail }]
    };
    var text = JSON.stringify(report);
    var body = opts.reportFormat === "otlp" ? JSON.stringify(otlp(report)) : text;
    if (typeof opts.reportUrl === "string" && allowed(opts.reportUrl, opts.allowedOrigins)) {
      // A fetch that ends with the page, aborted after reportTimeoutMs (5 s
      // unless the host page says otherwise), as the loader's own
      // (docs/report.md, "Delivery"); a beacon only where there is no fetch.
      try {
        if (window.fetch) {
          var controller = window.AbortController ? new AbortController() : null;
          var timeout = opts.reportTimeoutMs > 0 && isFinite(opts.reportTimeoutMs) ? opts.reportTimeoutMs : 5000;
          if (controller) setTimeout(function () { controller.abort(); }, timeout);
          fetch(opts.reportUrl, {
            method: "POST", body: body, signal: controller ? controller.signal : undefined,
            headers: { "Content-Type": opts.reportFormat === "otlp" ? "application/json" : "text/plain;charset=UTF-8" }
          })["catch"](function () {});
        } else if (navigator.sendBeacon) {
          navigator.sendBeacon(opts.reportUrl, body);
        }
      } catch (e) { /* the screen is what matters */ }
    }
    bridge({ type: "desk-loader:report", report: report });
    if (window.console) console.error("desk-loader: " + text);
    // deskLoader.settled: boot.js's resolves with this event; a browser that
    // never ran boot.js (no modules) gets one already settled.
    var api = window.deskLoader = window.deskLoader || {};
    if (!api.settled && window.Promise) api.settled = Promise.resolve(report);
    announce(mount, "desk-loader:report", report);
  }

  // A CustomEvent that bubbles from the mount point, as the loader's (docs/embed.md).
  function announce(mount, name, detail) {
    try {
      var event = document.createEvent("CustomEvent");
      event.initCustomEvent(name, true, false, detail);
      mount.dispatchEvent(event);
    } catch (e) { /* a browser without CustomEvent still shows the screen */ }
  }

  window.deskLoaderUnavailable = unavailable;
  if (!("noModule" in document.createElement("script"))) {
    unavailable("loader.unsupported", "this browser cannot run ES modules");
  }
})();
