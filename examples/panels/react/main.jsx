// The React panel's entry: registers its boot function with desk-loader.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import App from "./App.jsx";

(window.__panelLog ||= []).push("react:entry");

deskLoader.register(function boot(ctx) {
  const root = createRoot(ctx.mount);
  root.render(
    <StrictMode>
      <App releaseId={ctx.releaseId} apiUrl={ctx.config.API_URL} features={ctx.features} />
    </StrictMode>,
  );
  // A fallback removes this attempt: take the React tree down with it.
  ctx.signal?.addEventListener(
    "abort",
    () => {
      root.unmount();
      window.__panelLog.push("react:unmounted");
    },
    { once: true },
  );
  ctx.ready();
});
