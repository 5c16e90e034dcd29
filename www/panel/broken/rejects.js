// A broken release: its async boot rejects after rendering half a panel.
window.deskLoader.register(async function boot(ctx) {
  var p = document.createElement("p");
  p.textContent = "Connecting…";
  ctx.mount.replaceChildren(p);
  await new Promise(function (r) { setTimeout(r, 50); });
  throw new Error("socket closed before the handshake");
});
