// desk-loader's entry point for a page: reads the options from
// <script type="application/json" id="desk-loader-options">, loads the
// WebAssembly module and starts the boot. If the module itself cannot load,
// it still shows an error instead of leaving the page blank.
import init, { start } from "./pkg/desk_loader.js";

const optionsElement = document.getElementById("desk-loader-options");

function showLoaderFailure(mount, error) {
  const screen = document.createElement("section");
  screen.className = "desk-loader-error";
  screen.setAttribute("role", "alert");
  screen.setAttribute("tabindex", "-1");
  screen.setAttribute("data-desk-error", "loader.unavailable");
  const title = document.createElement("h1");
  title.textContent = "The desk could not start";
  const text = document.createElement("p");
  text.textContent = "Your conversations are safe. Reload the page in a moment; if this goes on, tell your support team.";
  const code = document.createElement("p");
  code.className = "desk-loader-code";
  code.textContent = "Support code: loader.unavailable (" + String(error && error.message || error) + ")";
  screen.append(title, text, code);
  mount.replaceChildren(screen);
  mount.setAttribute("data-desk-state", "failed");
  screen.focus();
}

try {
  const options = optionsElement ? JSON.parse(optionsElement.textContent) : {};
  // A mobile app can inject `window.deskLoaderHostConfig` before the page
  // loads; it is the last configuration source, so it wins per key.
  if (window.deskLoaderHostConfig !== undefined) {
    const listed = options.config === undefined ? ["#desk-config"] : [].concat(options.config);
    options.config = listed.concat([window.deskLoaderHostConfig]);
  }
  await init();
  start(options);
} catch (error) {
  const mount = document.getElementById("desk") || document.body;
  showLoaderFailure(mount, error);
}
