// desk-loader's end-to-end suite, in three engines: Chromium and Firefox
// driven by Playwright, WebKit (MiniBrowser, the engine of iOS WKWebView) by
// WebDriver. `cargo xtask test` starts the test server and Xvfb and sets
// BASE_URL and DISPLAY; no browser is ever downloaded (desk.js launches
// Debian's). Every spec takes the `desk` fixture from desk.js.
const { defineConfig } = require("@playwright/test");
const { defaultBoundMs } = require("./matrix.json");

module.exports = defineConfig({
  testDir: ".",
  testMatch: "*.spec.js",
  outputDir: "../../target/e2e/results",
  reporter: [["list"], ["json", { outputFile: "../../target/e2e/results.json" }]],
  workers: 2,
  // A hang detector, not a speed check: the longest a desk.html boot may
  // legitimately take by the loader's own timeouts, twice (docs/matrix.md,
  // "Time bounds"), and time for the test's own steps.
  timeout: defaultBoundMs + 30_000,
  forbidOnly: !!process.env.CI,
  // No retries: a flaky test is a bug to find, in the product or the test.
  retries: 0,
  projects: ["chromium", "firefox", "webkit"].map((engine) => ({ name: engine, use: { engine } })),
});
