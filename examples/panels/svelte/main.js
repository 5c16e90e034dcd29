// The Svelte panel's entry: registers its boot function with desk-loader.
import { mount, unmount } from "svelte";
import App from "./App.svelte";

(window.__panelLog ||= []).push("svelte:entry");

deskLoader.register(function boot(ctx) {
  // Svelte's mount() appends to the target: clear the loading placeholder.
  ctx.mount.replaceChildren();
  const app = mount(App, {
    target: ctx.mount,
    props: { releaseId: ctx.releaseId, apiUrl: ctx.config.API_URL, features: ctx.features },
  });
  // A fallback removes this attempt: take the Svelte app down with it.
  ctx.signal?.addEventListener(
    "abort",
    () => {
      unmount(app);
      window.__panelLog.push("svelte:unmounted");
    },
    { once: true },
  );
  ctx.ready();
});
