// A broken release: a syntax error, so none of it runs.
window.deskLoader.register(function boot(ctx) {
  ctx.ready(
});
