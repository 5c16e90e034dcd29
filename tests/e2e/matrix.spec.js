// The fault matrix: every scenario of matrix.json in real Chromium. Each
// asserts the final state (which release is ready, or the error screen with
// which code), that the viewport was never blank from the first paint on,
// the report's content, and the elapsed time against the scenario's bound.
// Results go to target/e2e/matrix.jsonl; `cargo xtask test` prints the table.
const fs = require("fs");
const path = require("path");
const { test, expect } = require("@playwright/test");
const { settled, serve, consoleText, release, demoRelease, withOptions, reportFrom, watchForBlank, expectNeverBlank } = require("./helpers");

const MATRIX = require("./matrix.json");
const RESULTS = path.join(__dirname, "../../target/e2e/matrix.jsonl");
const CONFIG = JSON.parse(fs.readFileSync(path.join(__dirname, "../../www/config.json"), "utf8"));
const MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, "../../www/manifest.json"), "utf8"));
const NEW = (id, script) => [release(id, script), demoRelease("2026.11.1")];

async function firstLoad(page) {
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect.poll(() => page.evaluate(() => (localStorage.getItem("desk-loader:record") || "").includes("knownGood"))).toBe(true);
}

/** Set-ups by name: `before` runs before the navigation; `run` replaces it. */
const SETUPS = {
  manifest404: { before: (p) => serve(p, "manifest.json", "not found", { status: 404, contentType: "text/plain" }) },
  manifest500: { before: (p) => serve(p, "manifest.json", "boom", { status: 500, contentType: "text/plain" }) },
  manifestHangs: { before: async (p) => { await withOptions(p, { fetchTimeoutMs: 1500 }); await p.route("**/manifest.json", () => {}); } },
  manifestMalformed: { before: (p) => serve(p, "manifest.json", "{\"format\": 1, \"releases\": [,]}") },
  manifestTruncated: { before: (p) => serve(p, "manifest.json", JSON.stringify(MANIFEST).slice(0, 300)) },
  manifestHtml: { before: (p) => serve(p, "manifest.json", "<html><body>Down for maintenance</body></html>", { contentType: "text/html" }) },
  manifestWrongTypes: { before: (p) => serve(p, "manifest.json", { format: 1, releases: { id: "x" } }) },
  manifestEmpty: { before: (p) => serve(p, "manifest.json", { format: 1, releases: [] }) },
  manifestAllWithdrawn: { before: (p) => serve(p, "manifest.json", { ...MANIFEST, withdrawn: ["2026.11.2", "2026.11.1"] }) },
  manifestDownAfterSuccess: {
    run: async (p) => { await firstLoad(p); await serve(p, "manifest.json", "down", { status: 503, contentType: "text/plain" }); await p.reload(); },
  },
  config404: { before: (p) => serve(p, "config.json", "not found", { status: 404, contentType: "text/plain" }) },
  configMalformed: { before: (p) => serve(p, "config.json", "{\"values\": {\"API_URL\": ") },
  configMissingCore: { before: (p) => serve(p, "config.json", { values: { API_URL: "https://api.desk.example" }, backendSchema: 43 }) },
  configMissingFeature: { before: (p) => serve(p, "config.json", { ...CONFIG, features: { routingHints: true } }) },
  configWrongTypes: { before: (p) => serve(p, "config.json", { ...CONFIG, values: { ...CONFIG.values, POLL_INTERVAL_MS: "often", THEME: 7 } }) },
  configHostile: {
    before: (p) => serve(p, "config.json", { ...CONFIG, values: { ...CONFIG.values, POLL_INTERVAL_MS: "<img src=x onerror=\"window.__pwned=1\">" } }),
    after: async (p) => { expect(await p.evaluate(() => window.__pwned)).toBeUndefined(); expect(await p.locator("#desk img").count()).toBe(0); },
  },
  configSecret: {
    before: (p) => serve(p, "config.json", { ...CONFIG, values: { ...CONFIG.values, CHAT_TOKEN: 987654321987 } }),
    after: async (p, logs) => { expect(await p.locator("body").innerText()).not.toContain("987654321987"); expect(logs.join("\n")).not.toContain("987654321987"); },
  },
  bundle500Once: {
    before: async (p) => { let n = 0; await p.route("**/panel/2026.11.2/panel.js", (r) => (++n === 1 ? r.fulfill({ status: 500, body: "" }) : r.fallback())); },
  },
  bundle500Always: { before: (p) => p.route("**/panel/2026.11.2/panel.js", (r) => r.fulfill({ status: 500, body: "" })) },
  bundleSlow: { before: (p) => p.route("**/panel/2026.11.2/panel.js", async (r) => { await new Promise((f) => setTimeout(f, 1500)); await r.fallback(); }) },
  bundleTruncated: {
    before: (p) => p.route("**/panel/2026.11.2/panel.js", async (r) => { const res = await r.fetch(); const body = await res.text(); await r.fulfill({ response: res, body: body.slice(0, body.length >> 1) }); }),
  },
  syntaxError: { before: (p) => serve(p, "manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/syntax-error.js") }) },
  rejects: { before: (p) => serve(p, "manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/rejects.js") }) },
  readyTwice: { before: (p) => serve(p, "manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/ready-twice.js") }) },
  staleReady: {
    before: (p) => serve(p, "manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/stale-ready.js") }),
    after: async (p, logs) => { await p.waitForTimeout(500); expect(logs.filter((l) => l.startsWith('{"format":1,"outcome":')).length).toBe(1); },
  },
  notRegistered: { before: (p) => serve(p, "manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/not-registered.js") }) },
  css404: { before: (p) => p.route("**/panel/2026.11.2/panel.css", (r) => r.fulfill({ status: 404, body: "" })) },
  css500Always: { before: (p) => p.route("**/panel/2026.11.2/panel.css", (r) => r.fulfill({ status: 500, body: "" })) },
  cssSlow: { before: (p) => p.route("**/panel/2026.11.2/panel.css", async (r) => { await new Promise((f) => setTimeout(f, 1500)); await r.fallback(); }) },
  backendTooNew: { before: (p) => serve(p, "config.json", { ...CONFIG, backendSchema: 46 }) },
  backendUnknown: { before: (p) => serve(p, "config.json", { values: CONFIG.values }) },
  backendEndpoint: { before: async (p) => { await withOptions(p, { backendUrl: "/backend.json" }); await serve(p, "backend.json", { schema: 45 }); } },
  storageDisabled: {
    before: (p) => p.addInitScript(() => Object.defineProperty(window, "localStorage", { get() { throw new DOMException("The operation is insecure.", "SecurityError"); } })),
  },
  storageFull: { before: (p) => p.addInitScript(() => { Storage.prototype.setItem = () => { throw new DOMException("quota", "QuotaExceededError"); }; }) },
  storageCorrupt: { before: (p) => p.addInitScript(() => localStorage.setItem("desk-loader:record", "{\"format\": 1, \"knownGood\": ")) },
  storageOldFormat: { before: (p) => p.addInitScript(() => localStorage.setItem("desk-loader:record", JSON.stringify({ format: 0, release: "2019.01.1" }))) },
  hiddenThenShown: {
    before: (p) => p.addInitScript(() => {
      let hidden = true;
      Object.defineProperty(document, "hidden", { get: () => hidden });
      Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
      setTimeout(() => { hidden = false; document.dispatchEvent(new Event("visibilitychange")); }, 2000);
    }),
  },
  twoTabs: {
    run: async (p, url, context) => {
      // Both tabs boot at the same time; each navigation only waits for its
      // document to commit, so neither waits for the other's subresources.
      const other = await context.newPage();
      await Promise.all([p.goto(`${url}?tab=1`, { waitUntil: "commit" }), other.goto(`${url}?tab=2`, { waitUntil: "commit" })]);
      expect(await settled(other)).toBe("ready");
    },
    after: async (p) => {
      await expect.poll(() => p.evaluate(() => JSON.parse(localStorage.getItem("desk-loader:record") || "{}").knownGood?.release?.id)).toBe("2026.11.2");
    },
  },
  offlineAfterFirstLoad: {
    run: async (p) => {
      await firstLoad(p);
      await expect.poll(() => p.evaluate(async () => (await (await caches.open("desk-loader-v1")).keys()).length)).toBe(2);
      await p.route("**/manifest.json", (r) => r.abort("internetdisconnected"));
      await p.route("**/panel/**", (r) => r.abort("internetdisconnected"));
      await p.reload();
    },
  },
  incidentChecks: {
    after: async (p) => {
      // The error screen names the variable; the previous release is never started.
      await p.getByRole("alert").locator("summary").click();
      await expect(p.getByRole("alert").locator("dd").nth(3)).toHaveText("ENGINE_GATEWAY_URL");
      expect(await p.locator('script[src*="2026.11.1"]').count()).toBe(0);
      await p.screenshot({ path: "../../target/e2e/screenshots/incident.png", fullPage: true });
    },
  },
  strictCsp: {
    before: (p) => p.route("**/desk.html", async (r) => {
      const res = await r.fetch();
      await r.fulfill({ response: res, headers: { ...res.headers(), "content-security-policy": "script-src 'self' 'wasm-unsafe-eval'" } });
    }),
  },
};

test.beforeAll(() => fs.mkdirSync(path.dirname(RESULTS), { recursive: true }));

for (const s of MATRIX) {
  test(`[${s.group}] ${s.name}: ${s.what}`, async ({ page, context }) => {
    const setup = SETUPS[s.setup] || {};
    expect(!s.setup || SETUPS[s.setup], `unknown setup ${s.setup}`).toBeTruthy();
    await watchForBlank(page);
    const logs = consoleText(page);
    if (setup.before) await setup.before(page, context);
    const t0 = Date.now();
    if (setup.run) await setup.run(page, s.page, context);
    else await page.goto(s.page);
    const state = await settled(page);
    const ms = Date.now() - t0;
    fs.appendFileSync(RESULTS, JSON.stringify({ name: s.name, group: s.group, state, release: await page.locator("#desk").getAttribute("data-desk-release"),
      code: await page.locator("#desk").getAttribute("data-desk-error"), ms, bound: s.boundMs }) + "\n");

    expect(state).toBe(s.expect.state);
    if (s.expect.release) await expect(page.locator("#desk")).toHaveAttribute("data-desk-release", s.expect.release);
    if (s.expect.code) await expect(page.getByRole("alert")).toHaveAttribute("data-desk-error", s.expect.code);
    if (state === "ready") await expect(page.locator("#desk .panel")).toBeVisible();
    await expectNeverBlank(page);
    const report = reportFrom(logs, state);
    expect(report, "a report was logged").toBeTruthy();
    expect(report.outcome).toBe(state);
    for (const needle of s.reportHas || []) expect(JSON.stringify(report)).toContain(needle);
    if (setup.after) await setup.after(page, logs);
    expect(ms, `took ${ms} ms, bound ${s.boundMs} ms`).toBeLessThanOrEqual(s.boundMs);
    if (["healthy", "incident-2023-08-11", "all-broken", "config-feature-unlaunched", "panel-throws"].includes(s.name)) {
      await page.screenshot({ path: `../../target/e2e/screenshots/matrix-${s.name}.png`, fullPage: true });
    }
  });
}
