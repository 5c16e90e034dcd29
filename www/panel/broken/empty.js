// A broken release: it says it is ready but renders nothing.
window.deskLoader.register(function boot(ctx) {
  ctx.mount.replaceChildren();
  ctx.ready();
});
