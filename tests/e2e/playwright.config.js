// desk-loader's end-to-end suite. `cargo xtask test` starts the server and
// sets BASE_URL; the browser is always Debian's Chromium, never a download.
const { defineConfig } = require("@playwright/test");

module.exports = defineConfig({
  testDir: ".",
  testMatch: "*.spec.js",
  outputDir: "../../target/e2e/results",
  reporter: [["list"]],
  workers: 2,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  // No retries: the one flake this suite had (a subresource never answered)
  // was the test server's (xtask/src/http.rs says why), and is gone.
  retries: 0,
  use: {
    baseURL: process.env.BASE_URL || "http://127.0.0.1:8080",
    trace: "retain-on-failure",
    browserName: "chromium",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
