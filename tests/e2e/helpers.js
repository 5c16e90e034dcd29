// Small helpers shared by the end-to-end specs.
const { expect } = require("@playwright/test");

/** Waits for the boot to end and returns the final state: "ready" or "failed". */
async function settled(page) {
  const desk = page.locator("#desk");
  await expect(desk).toHaveAttribute("data-desk-state", /^(ready|failed)$/, { timeout: 15_000 });
  return desk.getAttribute("data-desk-state");
}

/** Serves `body` for requests to `path` (relative to the base URL). */
async function serve(page, path, body, { status = 200, contentType = "application/json" } = {}) {
  await page.route((url) => url.pathname === "/" + path, (route) =>
    route.fulfill({ status, contentType, body: typeof body === "string" ? body : JSON.stringify(body) }));
}

/** Collects console messages, so tests can check what was logged. */
function consoleText(page) {
  const lines = [];
  page.on("console", (m) => lines.push(m.text()));
  return lines;
}

module.exports = { settled, serve, consoleText };
