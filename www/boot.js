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
(async () => {
  // User Timing marks for the two steps before the module's own marks
  // (docs/embed.md, "Following the boot").
  const mark = (name) => self.performance && performance.mark && performance.mark("desk-loader:" + name);
  mark("script");
  const optionsElement = document.getElementById("desk-loader-options");

  try {
    const options = optionsElement ? JSON.parse(optionsElement.textContent) : {};
    // A mobile app can inject `window.deskLoaderHostConfig` before the page
    // loads; it is the last configuration source, so it wins per key.
    if (window.deskLoaderHostConfig !== undefined) {
      const listed = options.config === undefined ? ["#desk-config"] : [].concat(options.config);
      options.config = listed.concat([window.deskLoaderHostConfig]);
    }
    const { default: init, start } = await import("./pkg/desk_loader.js");
    await init();
    mark("module");
    start(options);
  } catch (error) {
    // The error screen and the report come from unavailable.js, fetched only
    // now: off the path of every boot that works. Without it, a line of text
    // still says what happened.
    const detail = String((error && error.message) || error);
    try {
      await import("./unavailable.js");
      window.deskLoaderUnavailable("loader.unavailable", detail);
    } catch {
      (document.getElementById("desk") || document.body).textContent =
        "The desk could not start (support code: loader.unavailable, " + detail + "). Reload the page in a moment.";
    }
  }
})();
