// A release that calls ready() twice: the second call changes nothing.
window.deskLoader.register(function boot(ctx) {
  var p = document.createElement("p");
  p.className = "panel";
  p.textContent = "Twice-ready panel " + ctx.releaseId;
  ctx.mount.replaceChildren(p);
  ctx.ready();
  ctx.ready();
});
