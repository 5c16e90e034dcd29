// The fault matrix: every scenario of matrix.json, in Chromium, Firefox and
// WebKit. Each asserts the final state (which release is ready, or the error
// screen with which code), that the viewport was never blank from the first
// paint on, the report the server received, and that the boot ended within
// the scenario's bound, a hang detector derived from its own timeouts
// (docs/matrix.md, "Time bounds"). Faults are the test server's (a plan per
// test), so a scenario means the same in every engine; where an engine
// legitimately differs, matrix.json says so under `engines`.
// Results go to target/e2e/matrix.jsonl; `cargo xtask test` prints the table.
const fs = require("fs");
const path = require("path");
const { test, expect, hook, expectNeverBlank } = require("./desk");
const { release, demoRelease, answer } = require("./helpers");

const MATRIX = require("./matrix.json");
const RESULTS = path.join(__dirname, "../../target/e2e/matrix.jsonl");
const CONFIG = JSON.parse(fs.readFileSync(path.join(__dirname, "../../www/config.json"), "utf8"));
const MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, "../../www/manifest.json"), "utf8"));
const NEW = (id, script) => [release(id, script), demoRelease("2026.11.1")];
const text = (body) => ({ status: 200, contentType: "text/plain", body });

async function firstLoad(desk) {
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  await desk.waitFor(() => (localStorage.getItem("desk-loader:record") || "").includes("knownGood"), undefined,
    { message: "the first load wrote its record" });
}

/**
 * Set-ups by name: `plan` is the test plan (faults, options, init hooks);
 * `run` replaces the navigation; `after` adds checks.
 */
const SETUPS = {
  manifest404: { plan: { faults: [answer("manifest.json", "not found", { status: 404, contentType: "text/plain" })] } },
  manifest500: { plan: { faults: [answer("manifest.json", "boom", { status: 500, contentType: "text/plain" })] } },
  manifestHangs: { plan: { options: { fetchTimeoutMs: 1500 }, faults: [{ path: "/manifest.json", hang: true }] } },
  manifestMalformed: { plan: { faults: [answer("manifest.json", "{\"format\": 1, \"releases\": [,]}")] } },
  manifestTruncated: { plan: { faults: [{ path: "/manifest.json", truncate: true }] } },
  manifestHtml: { plan: { faults: [answer("manifest.json", "<html><body>Down for maintenance</body></html>", { contentType: "text/html" })] } },
  manifestWrongTypes: { plan: { faults: [answer("manifest.json", { format: 1, releases: { id: "x" } })] } },
  manifestEmpty: { plan: { faults: [answer("manifest.json", { format: 1, releases: [] })] } },
  manifestAllWithdrawn: { plan: { faults: [answer("manifest.json", { ...MANIFEST, withdrawn: ["2026.11.2", "2026.11.1"] })] } },
  manifestDownAfterSuccess: {
    run: async (desk) => {
      await firstLoad(desk);
      await desk.setFaults([answer("manifest.json", "down", { status: 503, contentType: "text/plain" })]);
      await desk.reload();
    },
  },
  config404: { plan: { faults: [answer("config.json", "not found", { status: 404, contentType: "text/plain" })] } },
  configMalformed: { plan: { faults: [answer("config.json", "{\"values\": {\"API_URL\": ")] } },
  configMissingCore: { plan: { faults: [answer("config.json", { values: { API_URL: "https://api.desk.example" }, backendSchema: 43 })] } },
  configMissingFeature: { plan: { faults: [answer("config.json", { ...CONFIG, features: { routingHints: true } })] } },
  configWrongTypes: { plan: { faults: [answer("config.json", { ...CONFIG, values: { ...CONFIG.values, POLL_INTERVAL_MS: "often", THEME: 7 } })] } },
  configHostile: {
    plan: { faults: [answer("config.json", { ...CONFIG, values: { ...CONFIG.values, POLL_INTERVAL_MS: "<img src=x onerror=\"window.__pwned=1\">" } })] },
    after: async (desk) => {
      expect(await desk.eval(() => window.__pwned === undefined)).toBe(true);
      expect(await desk.count("#desk img")).toBe(0);
    },
  },
  configSecret: {
    plan: { faults: [answer("config.json", { ...CONFIG, values: { ...CONFIG.values, CHAT_TOKEN: 987654321987 } })] },
    after: async (desk) => {
      expect(await desk.text("body")).not.toContain("987654321987");
      expect((await desk.console()).join("\n")).not.toContain("987654321987");
      expect(JSON.stringify(await desk.reports())).not.toContain("987654321987");
    },
  },
  bundle500Once: { plan: { faults: [{ path: "/panel/2026.11.2/panel.js", status: 500, body: "", times: 1 }] } },
  bundle500Always: { plan: { faults: [{ path: "/panel/2026.11.2/panel.js", status: 500, body: "" }] } },
  bundleSlow: { plan: { faults: [{ path: "/panel/2026.11.2/panel.js", delayMs: 1500 }] } },
  bundleTruncated: { plan: { faults: [{ path: "/panel/2026.11.2/panel.js", truncate: true }] } },
  syntaxError: { plan: { faults: [answer("manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/syntax-error.js") })] } },
  rejects: { plan: { faults: [answer("manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/rejects.js") })] } },
  readyTwice: { plan: { faults: [answer("manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/ready-twice.js") })] } },
  staleReady: {
    plan: { faults: [answer("manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/stale-ready.js") })] },
    after: async (desk) => {
      // The failed attempt's ready() comes 300 ms after it threw: wait past it.
      await desk.eval(() => new Promise((f) => setTimeout(f, 500)));
      expect((await desk.console()).filter((l) => l.startsWith('{"format":1,"outcome":')).length).toBe(1);
      expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
    },
  },
  notRegistered: { plan: { faults: [answer("manifest.json", { format: 1, releases: NEW("2026.12.0", "panel/broken/not-registered.js") })] } },
  css404: { plan: { faults: [{ path: "/panel/2026.11.2/panel.css", status: 404, body: "" }] } },
  css500Always: { plan: { faults: [{ path: "/panel/2026.11.2/panel.css", status: 500, body: "" }] } },
  cssSlow: { plan: { faults: [{ path: "/panel/2026.11.2/panel.css", delayMs: 1500 }] } },
  backendTooNew: { plan: { faults: [answer("config.json", { ...CONFIG, backendSchema: 46 })] } },
  backendUnknown: { plan: { faults: [answer("config.json", { values: CONFIG.values })] } },
  backendEndpoint: { plan: { options: { backendUrl: "/backend.json" }, faults: [answer("backend.json", { schema: 45 })] } },
  storageDisabled: {
    plan: { init: [hook(() => Object.defineProperty(window, "localStorage", { get() { throw new DOMException("The operation is insecure.", "SecurityError"); } }))] },
  },
  storageFull: { plan: { init: [hook(() => { Storage.prototype.setItem = () => { throw new DOMException("quota", "QuotaExceededError"); }; })] } },
  storageCorrupt: { plan: { init: [hook(() => localStorage.setItem("desk-loader:record", "{\"format\": 1, \"knownGood\": "))] } },
  storageOldFormat: { plan: { init: [hook(() => localStorage.setItem("desk-loader:record", JSON.stringify({ format: 0, release: "2019.01.1" })))] } },
  hiddenThenShown: {
    plan: {
      init: [hook(() => {
        let hidden = true;
        Object.defineProperty(document, "hidden", { get: () => hidden });
        Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
        setTimeout(() => { hidden = false; document.dispatchEvent(new Event("visibilitychange")); }, 2000);
      })],
    },
  },
  twoTabs: {
    run: async (desk, url) => {
      // Both tabs boot at the same time: neither navigation waits for the other.
      const other = await desk.newTab();
      await other.go(url);
      await desk.go(url);
      expect(await other.settled()).toBe("ready");
    },
    after: async (desk) => {
      await desk.waitFor(() => JSON.parse(localStorage.getItem("desk-loader:record") || "{}").knownGood?.release?.id === "2026.11.2",
        undefined, { message: "the record names 2026.11.2" });
      expect((await desk.reports()).filter((r) => r.outcome === "ready")).toHaveLength(2);
    },
  },
  offlineAfterFirstLoad: {
    run: async (desk) => {
      await firstLoad(desk);
      await desk.waitFor(async () => (await (await caches.open("desk-loader-v1")).keys()).length === 2, undefined,
        { message: "the known-good release's two files are in Cache Storage" });
      await desk.setFaults([{ path: "/manifest.json", abort: true }, { path: "/panel/*", abort: true }]);
      await desk.reload();
    },
  },
  incidentChecks: {
    after: async (desk) => {
      // The error screen names the variable; the previous release is never started.
      await desk.click("[role=alert] summary");
      expect(await desk.eval(() => document.querySelectorAll("[role=alert] dd")[3].textContent)).toBe("ENGINE_GATEWAY_URL");
      expect(await desk.count('script[src*="2026.11.1"]')).toBe(0);
      await desk.screenshot("incident");
    },
  },
  strictCsp: { plan: { faults: [{ path: "/desk.html", headers: { "content-security-policy": "script-src 'self' 'wasm-unsafe-eval'" } }] } },
};

/** The scenario as `engine` runs it: matrix.json's `engines` entry, key by key, over the defaults. */
function forEngine(s, engine) {
  return { ...s, ...((s.engines && s.engines[engine]) || {}) };
}

/** The time the plan's faults can add on their own: their delays, summed. */
const delays = (plan) => (plan.faults || []).reduce((sum, f) => sum + (f.delayMs || 0), 0);

test.beforeAll(() => fs.mkdirSync(path.dirname(RESULTS), { recursive: true }));

for (const scenario of MATRIX.scenarios) {
  test(`[${scenario.group}] ${scenario.name}: ${scenario.what}`, async ({ desk, engine }) => {
    const s = forEngine(scenario, engine);
    const setup = SETUPS[s.setup] || {};
    expect(!s.setup || SETUPS[s.setup], `unknown setup ${s.setup}`).toBeTruthy();
    const plan = setup.plan || {};
    // The bound counts every delay a fault adds (docs/matrix.md): matrix.json must declare them.
    expect(delays(plan), "the plan's delays are declared in matrix.json's waits.delayMs").toBeLessThanOrEqual((s.waits && s.waits.delayMs) || 0);
    test.setTimeout(s.boundMs + 30_000);
    // The page errors the scenario's broken panel raises itself; any other fails the test (desk.js).
    desk.expectPageErrors(...(s.pageErrors || []).map((e) => new RegExp(e)));
    await desk.plan({ ...plan, watch: true });
    const t0 = Date.now();
    if (setup.run) await setup.run(desk, s.page);
    else await desk.open(s.page);
    const state = await desk.settled(s.boundMs);
    const ms = Date.now() - t0;
    fs.appendFileSync(RESULTS, JSON.stringify({ name: s.name, group: s.group, engine, state, release: await desk.attr("#desk", "data-desk-release"),
      code: await desk.attr("#desk [role=alert]", "data-desk-error"), ms, bound: s.boundMs }) + "\n");

    expect(state).toBe(s.expect.state);
    if (s.expect.release) expect(await desk.attr("#desk", "data-desk-release")).toBe(s.expect.release);
    if (s.expect.code) expect(await desk.attr("#desk [role=alert]", "data-desk-error")).toBe(s.expect.code);
    if (state === "ready") expect(await desk.visible("#desk .panel")).toBe(true);
    await expectNeverBlank(desk);
    const report = await desk.report(state);
    for (const needle of s.reportHas || []) expect(JSON.stringify(report)).toContain(needle);
    if (setup.after) await setup.after(desk);
    expect(ms, `took ${ms} ms, bound ${s.boundMs} ms`).toBeLessThanOrEqual(s.boundMs);
    if (["healthy", "incident-2023-08-11", "all-broken", "config-feature-unlaunched", "panel-throws"].includes(s.name)) {
      await desk.screenshot(`matrix-${s.name}`);
    }
  });
}
