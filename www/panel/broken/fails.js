// A release that knows it cannot start, and says so.
window.deskLoader.register(function boot(ctx) {
  ctx.fail("feature flags service returned 503");
});
