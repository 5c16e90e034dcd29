// Trust rules in the browser: code only from allowed origins, CSP violations
// reported by directive, size limits, tampered records, secrets.
const { test, expect } = require("@playwright/test");
const { settled, serve, consoleText, demoRelease, withOptions, reportFrom } = require("./helpers");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };

/** The same release, but with its files on `localhost` instead of `127.0.0.1`: another origin. */
function foreign(baseURL, id) {
  const r = demoRelease(id);
  const other = baseURL.replace("127.0.0.1", "localhost");
  r.id = `${id}-cdn`;
  r.assets = r.assets.map((a) => ({ ...a, url: `${other}/${a.url}` }));
  return r;
}

test("a release on an origin the host page does not allow is never started", async ({ page, baseURL }) => {
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  await serve(page, "manifest.json", { format: 1, releases: [foreign(baseURL, "2026.11.2"), demoRelease("2026.11.1")] });
  await serve(page, "config.json", CONFIG);
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-release", "2026.11.1");
  expect(requested.filter((u) => u.includes("localhost"))).toEqual([]);
  expect(reportFrom(logs, "ready").path[0]).toMatchObject({ release: "2026.11.2-cdn", outcome: "bundle.origin" });
});

test("the host page's allowlist, and only it, lets another origin in", async ({ page, baseURL }) => {
  const other = baseURL.replace("127.0.0.1", "localhost");
  await withOptions(page, { allowedOrigins: [other] });
  await serve(page, "manifest.json", { format: 1, releases: [foreign(baseURL, "2026.11.2"), demoRelease("2026.11.1")] });
  await serve(page, "config.json", CONFIG);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-release", "2026.11.2-cdn");
});

test("under a strict CSP, a blocked script is reported by its directive and the boot falls back", async ({ page, baseURL }) => {
  const other = baseURL.replace("127.0.0.1", "localhost");
  await page.route("**/desk.html", async (r) => {
    const res = await r.fetch();
    const html = (await res.text()).replace(/"reportUrl"/, `"allowedOrigins": ["${other}"], "reportUrl"`);
    await r.fulfill({ response: res, body: html, headers: { ...res.headers(), "content-security-policy": "script-src 'self' 'wasm-unsafe-eval'" } });
  });
  await serve(page, "manifest.json", { format: 1, releases: [foreign(baseURL, "2026.11.2"), demoRelease("2026.11.1")] });
  await serve(page, "config.json", CONFIG);
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-release", "2026.11.1");
  const report = reportFrom(logs, "ready");
  const csp = report.problems.find((p) => p.code === "csp.violation");
  expect(csp).toMatchObject({ expected: "script-src-elem" });
  expect(csp.message).toContain("localhost");
});

test("a manifest over the size limit is refused, not parsed", async ({ page }) => {
  const huge = JSON.stringify({ format: 1, releases: [], description: "x".repeat(1100 * 1024) });
  await serve(page, "manifest.json", huge);
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  await expect(page.getByRole("alert")).toHaveAttribute("data-desk-error", "manifest.unreadable");
  expect(JSON.stringify(reportFrom(logs, "failed").problems)).toContain("larger than the limit of 1048576");
});

test("a stored record pointing elsewhere is never run", async ({ page }) => {
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded")) return;
    sessionStorage.setItem("seeded", "1");
    localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, knownGood: {
      release: { id: "evil", assets: [{ type: "script", url: "https://evil.example/x.js", integrity: "sha384-" + "A".repeat(64) }] },
      configFingerprint: "x", at: 1 } }));
  });
  await serve(page, "manifest.json", "down", { status: 503, contentType: "text/plain" });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  expect(requested.filter((u) => u.includes("evil"))).toEqual([]);
});

test("a secret never reaches storage or a native bridge", async ({ page }) => {
  await page.addInitScript(() => {
    window.__bridge = [];
    window.ReactNativeWebView = { postMessage: (s) => window.__bridge.push(s) };
  });
  await serve(page, "config.json", { ...CONFIG, values: { ...CONFIG.values, CHAT_TOKEN: "s3cr3t-t0k3n-value" } });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect.poll(() => page.evaluate(() => localStorage.getItem("desk-loader:record"))).toBeTruthy();
  const stored = await page.evaluate(() => localStorage.getItem("desk-loader:record"));
  const bridge = await page.evaluate(() => window.__bridge.join("\n"));
  expect(stored).not.toContain("s3cr3t");
  expect(bridge).toContain("desk-loader:report");
  expect(bridge).not.toContain("s3cr3t");
});

test("a report endpoint on an origin the host page does not allow receives nothing", async ({ page }) => {
  const logs = consoleText(page);
  await withOptions(page, { reportUrl: "https://collector.evil.example/r" });
  const outgoing = [];
  page.on("request", (r) => outgoing.push(r.url()));
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await page.waitForTimeout(300);
  expect(outgoing.filter((u) => u.includes("evil"))).toEqual([]);
  expect(logs.join("\n")).toContain("is not on an allowed origin; reports go to the console only");
  expect(reportFrom(logs, "ready")).toBeTruthy();
});

test("a stored record over 64 KB is set aside unread", async ({ page }) => {
  await page.addInitScript(() => {
    if (sessionStorage.getItem("seeded")) return;
    sessionStorage.setItem("seeded", "1");
    localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, padding: "x".repeat(70 * 1024) }));
  });
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  expect(JSON.stringify(reportFrom(logs, "ready").problems)).toContain("more than 65536");
});
