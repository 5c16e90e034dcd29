// A release that works, then throws once the agent is on it: after ready(),
// the panel is on its own (docs/panel-api.md, "After ready()").
window.deskLoader.register(function boot(ctx) {
  var panel = document.createElement("div");
  panel.className = "panel";
  panel.textContent = "release " + ctx.releaseId;
  ctx.mount.replaceChildren(panel);
  ctx.ready();
  setTimeout(function () {
    ctx.fail("too late: the desk is already up");
    ctx.mount.replaceChildren();
    throw new Error("the panel broke after ready()");
  }, 100);
});
