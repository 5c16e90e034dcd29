// Runtime configuration in the browser: sources and their precedence, the
// features the panel is told about, and bad configurations that end on a
// clear error screen, never a blank page.
const { test, expect } = require("@playwright/test");
const { settled, serve, consoleText } = require("./helpers");

const GOOD = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n-abcdef" }, backendSchema: 43 };

test("configuration sources merge in order: URL, inline, then the host app's object", async ({ page }) => {
  await page.addInitScript(() => { window.deskLoaderHostConfig = { values: { API_URL: "https://app.example" } }; });
  await page.goto("/sources.html");
  expect(await settled(page)).toBe("ready");
  const status = JSON.parse(await page.locator(".panel-status").getAttribute("data-config"));
  // API_URL from the app's object, POLL_INTERVAL_MS from inline JSON (typed), THEME from its default.
  expect(status).toEqual({ api: "https://app.example", poll: 2000, theme: "light", features: [] });
});

test("a feature whose variable is missing is switched off, and the panel still boots", async ({ page }) => {
  await serve(page, "config.json", { ...GOOD, features: { routingHints: true } });
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect(page.locator(".panel-status")).toContainText("no optional features");
  const report = logs.find((l) => l.startsWith("{\"format\":1,\"outcome\":\"ready\""));
  expect(report).toContain("\"code\":\"feature.disabled\"");
  expect(report).toContain("ROUTING_HINTS_URL: required by the feature \\\"routingHints\\\", but not set");
});

test("a missing core variable ends on an error screen that names it", async ({ page }) => {
  await serve(page, "config.json", { values: { API_URL: "https://api.desk.example" } });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const alert = page.getByRole("alert");
  await expect(alert).toBeFocused();
  await expect(alert).toHaveAttribute("data-desk-error", "config.missing");
  await alert.getByText("Technical details").click();
  await expect(alert).toContainText("CHAT_TOKEN: required by the core panel, but not set");
  await page.screenshot({ path: "../../target/e2e/screenshots/config-missing.png", fullPage: true });
});

test("a configuration that is not JSON is named, and each missing variable too", async ({ page }) => {
  await serve(page, "config.json", "{\"values\": {\"API_URL\": ");
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const alert = page.getByRole("alert");
  await alert.getByText("Technical details").click();
  await expect(alert).toContainText("API_URL: required by the core panel, but not set");
  await expect(alert).toContainText("CHAT_TOKEN: required by the core panel, but not set");
});

test("a configuration that cannot be fetched is named in the report", async ({ page }) => {
  await serve(page, "config.json", "gateway down", { status: 502, contentType: "text/plain" });
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const report = logs.find((l) => l.startsWith("{\"format\":1,\"outcome\":\"failed\""));
  expect(report).toContain("\"code\":\"config.unreadable\"");
  expect(report).toContain("config.json: HTTP 502");
});

test("hostile values are shown as text, never run as HTML", async ({ page }) => {
  const hostile = "<img src=x onerror=\"window.__pwned=1\">";
  await serve(page, "config.json", { values: { API_URL: hostile, CHAT_TOKEN: "t0k3n-abcdef", POLL_INTERVAL_MS: hostile } });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const alert = page.getByRole("alert");
  await alert.getByText("Technical details").click();
  await expect(alert).toContainText("POLL_INTERVAL_MS: expected an integer, found the string \"<img src=x onerror=\\\"window.__pwned=1\\\">\"");
  expect(await page.locator("#desk img").count()).toBe(0);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
});

test("a secret's value never reaches the screen or the console", async ({ page }) => {
  const secret = "12345678901234";
  await serve(page, "config.json", { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: Number(secret) } });
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const alert = page.getByRole("alert");
  await alert.getByText("Technical details").click();
  await expect(alert).toContainText("CHAT_TOKEN: expected a string, found a number (secret, value not shown)");
  expect(await page.locator("body").innerText()).not.toContain(secret);
  expect(logs.join("\n")).not.toContain(secret);
});
