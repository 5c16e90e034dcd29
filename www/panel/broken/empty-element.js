// A broken release: it renders one empty element and says it is ready. The
// mount point holds an element, but the desk is blank.
window.deskLoader.register(function boot(ctx) {
  ctx.mount.replaceChildren(document.createElement("div"));
  ctx.ready();
});
