// The Vue panel's entry: registers its boot function with desk-loader.
import { createApp } from "vue";
import App from "./App.vue";

(window.__panelLog ||= []).push("vue:entry");

deskLoader.register(function boot(ctx) {
  const app = createApp(App, {
    releaseId: ctx.releaseId,
    apiUrl: ctx.config.API_URL,
    features: ctx.features,
  });
  // mount() replaces the container's content (the loading placeholder).
  app.mount(ctx.mount);
  // A fallback removes this attempt: take the Vue app down with it.
  ctx.signal?.addEventListener(
    "abort",
    () => {
      app.unmount();
      window.__panelLog.push("vue:unmounted");
    },
    { once: true },
  );
  ctx.ready();
});
