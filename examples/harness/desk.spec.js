// A desk team's smoke test: the desk boots with this environment's manifest
// and configuration. Run it against each environment before a release goes
// live, e.g. DESK_URL=https://desk.staging.example/ npx playwright test.
// A missing variable fails it with the variable named:
//
//   Error: the desk did not start: config.missing (support code config.missing-T6JX2K)
//     error config.missing: CHAT_TOKEN: required by the core panel, but not set
const { test } = require("@playwright/test");
const { expectDeskReady } = require("./desk-loader-harness");

test("the desk boots with this environment's configuration", async ({ page }) => {
  await page.goto(process.env.DESK_URL || "/desk.html");
  await expectDeskReady(page);
});
