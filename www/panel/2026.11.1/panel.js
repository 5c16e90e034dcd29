// The fake discussion panel, release 2026.11.1: what a desk's agent panel
// looks like at boot. It registers with desk-loader, renders into the mount
// point it is given, and says it is ready.
(function () {
  "use strict";

  var conversations = [
    { who: "Camille D.", channel: "Chat", preview: "Hello, my order #4821 has not arrived yet", wait: "2 min", unread: 2 },
    { who: "Jonas M.", channel: "Messenger", preview: "Can I change the delivery address?", wait: "5 min", unread: 1 },
    { who: "Aïcha B.", channel: "Chat", preview: "Thanks, that solved it!", wait: "12 min", unread: 0 }
  ];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  window.deskLoader.register(function boot(ctx) {
    var root = el("div", "panel");
    root.setAttribute("data-release", ctx.releaseId);

    var header = el("header", "panel-header");
    header.appendChild(el("span", "panel-title", "Conversations"));
    header.appendChild(el("span", "panel-release", "release " + ctx.releaseId));
    root.appendChild(header);

    var list = el("ul", "panel-list");
    list.setAttribute("aria-label", "Conversations waiting");
    conversations.forEach(function (c, i) {
      var item = el("li", "panel-item" + (i === 0 ? " is-active" : ""));
      item.appendChild(el("strong", "", c.who));
      item.appendChild(el("span", "panel-channel", c.channel + " · " + c.wait));
      item.appendChild(el("span", "panel-preview", c.preview));
      if (c.unread) item.appendChild(el("span", "panel-unread", String(c.unread)));
      list.appendChild(item);
    });
    root.appendChild(list);

    var thread = el("section", "panel-thread");
    thread.setAttribute("aria-label", "Conversation with " + conversations[0].who);
    thread.appendChild(el("p", "msg msg-visitor", "Hello, my order #4821 has not arrived yet. It was due on Monday."));
    thread.appendChild(el("p", "msg msg-agent", "Hello Camille, let me check the tracking for you."));
    var composer = el("form", "panel-composer");
    var input = el("textarea");
    input.setAttribute("aria-label", "Reply to " + conversations[0].who);
    input.placeholder = "Type your reply…";
    composer.appendChild(input);
    composer.appendChild(el("button", "", "Send"));
    composer.addEventListener("submit", function (e) { e.preventDefault(); });
    thread.appendChild(composer);
    root.appendChild(thread);

    var on = Object.keys(ctx.features).filter(function (f) { return ctx.features[f]; });
    var status = el("footer", "panel-status");
    status.setAttribute("data-config", JSON.stringify({ api: ctx.config.API_URL, poll: ctx.config.POLL_INTERVAL_MS, theme: ctx.config.THEME, features: on }));
    status.textContent = "Connected to " + ctx.config.API_URL + " · refresh every " + ctx.config.POLL_INTERVAL_MS / 1000 + " s · " +
      (on.length ? "features: " + on.join(", ") : "no optional features");
    root.appendChild(status);

    ctx.mount.replaceChildren(root);
    ctx.ready();
  });
})();
