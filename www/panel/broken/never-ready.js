// A broken release: it renders, but never calls ready().
window.deskLoader.register(function boot(ctx) {
  var p = document.createElement("p");
  p.textContent = "Waiting for the conversation service…";
  ctx.mount.replaceChildren(p);
});
