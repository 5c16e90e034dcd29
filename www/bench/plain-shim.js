// The baseline of `cargo xtask bench`: what a desk does without desk-loader.
// It hands the panel a fixed context and marks when the panel is ready (or
// throws), so the plain page and the loader page are timed the same way.
window.deskLoader = {
  register(boot) {
    const ctx = {
      attemptId: 1,
      releaseId: document.documentElement.dataset.release,
      config: { API_URL: "https://api.desk.example", CHAT_TOKEN: "bench", POLL_INTERVAL_MS: 3000, THEME: "light" },
      features: { routingHints: false },
      mount: document.getElementById("desk"),
      ready() { performance.mark("plain:ready"); },
      fail() { performance.mark("plain:failed"); },
    };
    try { boot(ctx); } catch (e) { performance.mark("plain:failed"); }
  },
};
