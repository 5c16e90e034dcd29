// A broken release that keeps its context: it fails, then calls ready() late,
// after the loader moved on. The late ready() must be ignored.
window.deskLoader.register(function boot(ctx) {
  setTimeout(function () { ctx.ready(); }, 300);
  throw new Error("boot failed, but a timer will call ready() later");
});
