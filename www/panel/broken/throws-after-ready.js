// A release that works, then throws once the agent is on it: after ready(),
// the panel is on its own (docs/panel-api.md, "After ready()"). It breaks once
// the boot is ready, which is at the first frame that shows it: not after a
// fixed delay, which a slow frame (WebKit under load) could outlast.
window.deskLoader.register(function boot(ctx) {
  var panel = document.createElement("div");
  panel.className = "panel";
  panel.textContent = "release " + ctx.releaseId;
  ctx.mount.replaceChildren(panel);
  ctx.mount.addEventListener("desk-loader:state", function broken(e) {
    if (e.detail.state !== "ready") return;
    ctx.mount.removeEventListener("desk-loader:state", broken);
    setTimeout(function () {
      ctx.fail("too late: the desk is already up");
      ctx.mount.replaceChildren();
      throw new Error("the panel broke after ready()");
    }, 0);
  });
  ctx.ready();
});
