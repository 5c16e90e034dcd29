// desk-loader's entry point for a page: reads the options from
// <script type="application/json" id="desk-loader-options">, loads the
// WebAssembly module and starts the boot. If the module itself cannot load,
// unavailable.js shows the error screen and reports it.
import init, { start } from "./pkg/desk_loader.js";

const optionsElement = document.getElementById("desk-loader-options");

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
  // The error screen and the report come from unavailable.js, a classic
  // script that also covers browsers without ES modules. Without it, a line
  // of text still says what happened.
  const detail = String((error && error.message) || error);
  if (typeof window.deskLoaderUnavailable === "function") {
    window.deskLoaderUnavailable("loader.unavailable", detail);
  } else {
    (document.getElementById("desk") || document.body).textContent =
      "The desk could not start (support code: loader.unavailable, " + detail + "). Reload the page in a moment.";
  }
}
