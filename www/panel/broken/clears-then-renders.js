// A slow but healthy panel: it clears the mount point at once, then renders
// 400 ms later. The loader must show its loading state in between.
window.deskLoader.register(function boot(ctx) {
  ctx.mount.replaceChildren();
  setTimeout(() => {
    const p = document.createElement("p");
    p.className = "panel";
    p.textContent = "rendered late";
    ctx.mount.replaceChildren(p);
    ctx.ready();
  }, 400);
});
