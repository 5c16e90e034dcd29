// desk-loader's entry point for a page: reads the options from
// <script type="application/json" id="desk-loader-options">, loads the
// WebAssembly module and starts the boot. If the module or its glue cannot
// load, unavailable.js shows the error screen and reports it.
//
// The glue is imported dynamically, so that its failure lands in the catch
// below (a static import that fails would stop this script before it runs);
// the page's <link rel="modulepreload"> still fetches it from the start.

// No top-level await: browsers with modules but without it (older webviews)
// still reach the catch, and the error screen.
// The test-harness API (docs/embed.md, "Awaiting the outcome"): a Promise
// of the boot's report, made before anything else can fail or any panel
// file loads. It resolves once, with the first `desk-loader:report` event
// (the loader's or unavailable.js's), and never rejects.
const api = (window.deskLoader = window.deskLoader || {});
api.settled = api.settled || new Promise((resolve) => {
  document.addEventListener("desk-loader:report", (e) => resolve(e.detail), { once: true });
});

(async () => {
  // User Timing marks for the two steps before the module's own marks
  // (docs/embed.md, "Following the boot").
  const mark = (name) => self.performance && performance.mark && performance.mark("desk-loader:" + name);
  mark("script");
  const optionsElement = document.getElementById("desk-loader-options");
  // What failed is named in the detail: some engines' messages do not say
  // which file (WebKit: "Importing a module script failed.").
  let step = "reading the options";

  try {
    const lacks = missing();
    if (lacks) {
      await unavailable("loader.unsupported", "this browser lacks " + lacks);
      return;
    }
    const options = optionsElement ? JSON.parse(optionsElement.textContent) : {};
    // A mobile app can inject `window.deskLoaderHostConfig` before the page
    // loads: the loader reads it as the last configuration source (option
    // `hostConfig`), so it wins per key.
    if (window.deskLoaderHostConfig !== undefined) options.hostConfig = window.deskLoaderHostConfig;
    step = "loading pkg/desk_loader.js";
    const { default: init, start } = await import("./pkg/desk_loader.js");
    step = "loading pkg/desk_loader_bg.wasm";
    await init();
    mark("module");
    step = "starting";
    start(options);
  } catch (error) {
    await unavailable("loader.unavailable", step + ": " + String((error && error.message) || error));
  }
})();

/**
 * What this browser lacks of what the loader needs, or "" (README,
 * "Supported browsers"): the WebAssembly features the module is built with
 * (wasm-pack.toml's --enable flags), checked by validating a 66-byte module
 * that uses each of them (bulk memory, reference types, sign extension,
 * non-trapping float-to-int, multi-value, an exported mutable global;
 * `cargo xtask test` checks that each is needed), and the web APIs the shell
 * calls without a fallback.
 */
function missing() {
  const probe = [0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 0, 2, 127, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 6, 6, 1, 127, 1, 65, 0, 11,
    7, 5, 1, 1, 103, 3, 0, 10, 24, 1, 22, 0, 65, 0, 65, 0, 65, 0, 252, 11, 0, 208, 111, 209, 192, 67, 0, 0, 0, 0, 252, 0, 11];
  const apis = ["fetch", "AbortController", "TextDecoder", "TextEncoder", "queueMicrotask", "MutationObserver", "CustomEvent", "URL"]
    .filter((name) => typeof self[name] !== "function");
  let wasm = typeof WebAssembly === "object";
  try {
    wasm = wasm && WebAssembly.validate(new Uint8Array(probe));
  } catch {
    wasm = false;
  }
  return (wasm ? [] : ["WebAssembly with reference types"]).concat(apis).join(", ");
}

/**
 * The error screen and the report, from unavailable.js, fetched only now:
 * off the path of every boot that works. Without it, a line of text still
 * says what happened.
 */
async function unavailable(code, detail) {
  try {
    await import("./unavailable.js");
    window.deskLoaderUnavailable(code, detail);
  } catch {
    (document.getElementById("desk") || document.body).textContent =
      "The desk could not start (support code: " + code + ", " + detail + "). Reload the page in a moment.";
  }
}
