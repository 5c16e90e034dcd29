// Boot orchestration in the browser: failures of the newest release end on
// the previous one in the same page load, never on an incompatible release.
const { test, expect } = require("@playwright/test");
const { settled, serve, consoleText, release, demoRelease, withOptions, reportFrom } = require("./helpers");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };

async function boot(page, releases, { config = CONFIG, options } = {}) {
  await serve(page, "manifest.json", { format: 1, releases });
  await serve(page, "config.json", config);
  if (options) await withOptions(page, options);
  const logs = consoleText(page);
  await page.goto("/desk.html");
  // Marks this document: a reload would lose it.
  await page.evaluate(() => { window.__sameDocument = true; });
  return logs;
}

async function expectPanel(page, id) {
  expect(await settled(page)).toBe("ready");
  await expect(page.locator(".panel-release")).toHaveText(`release ${id}`);
  expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
}

const BROKEN = [
  ["throws at boot", "panel/broken/throws.js", "panel.threw", "Cannot read properties of undefined"],
  ["rejects its boot promise", "panel/broken/rejects.js", "panel.threw", "socket closed before the handshake"],
  ["throws at top level", "panel/broken/top-level-throw.js", "panel.threw", "maxConversations"],
  ["has a syntax error", "panel/broken/syntax-error.js", "panel.threw", "SyntaxError"],
  ["never registers", "panel/broken/not-registered.js", "panel.not_registered", "never called deskLoader.register()"],
  ["calls fail()", "panel/broken/fails.js", "panel.failed", "feature flags service returned 503"],
  ["renders nothing", "panel/broken/empty.js", "panel.empty", "rendered nothing"],
];

for (const [what, script, code, text] of BROKEN) {
  test(`a new release that ${what} falls back to the previous one in the same page`, async ({ page }) => {
    const logs = await boot(page, [release("2026.12.0", script), demoRelease("2026.11.1")]);
    await expectPanel(page, "2026.11.1");
    const report = reportFrom(logs, "ready");
    expect(report.path.map((p) => [p.release, p.outcome])).toEqual([["2026.12.0", code], ["2026.11.1", "ready"]]);
    expect(JSON.stringify(report.problems)).toContain(text);
    // What the failed attempt added is gone.
    expect(await page.locator('script[data-desk-attempt="1"]').count()).toBe(0);
  });
}

test("a release that never calls ready falls back after the deadline", async ({ page }) => {
  const started = Date.now();
  const logs = await boot(page, [release("2026.12.0", "panel/broken/never-ready.js"), demoRelease("2026.11.1")],
    { options: { readyDeadlineMs: 1500 } });
  await expectPanel(page, "2026.11.1");
  expect(Date.now() - started).toBeGreaterThan(1500);
  expect(reportFrom(logs, "ready").path[0].outcome).toBe("panel.timeout");
});

test("a late ready() from a failed attempt is ignored", async ({ page }) => {
  const logs = await boot(page, [release("2026.12.0", "panel/broken/stale-ready.js"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  await page.waitForTimeout(500);
  await expect(page.locator(".panel-release")).toHaveText("release 2026.11.1");
  expect(logs.filter((l) => l.startsWith('{"format":1,"outcome":')).length).toBe(1);
});

test("an integrity mismatch falls back, and the tampered file never runs", async ({ page }) => {
  const tampered = demoRelease("2026.11.2");
  tampered.assets[1].integrity = demoRelease("2026.11.1").assets[1].integrity;
  const logs = await boot(page, [tampered, demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  const report = reportFrom(logs, "ready");
  expect(report.path[0]).toMatchObject({ release: "2026.11.2", outcome: "bundle.integrity" });
});

test("a missing bundle (404) falls back without retrying", async ({ page }) => {
  await page.route("**/panel/2026.11.2/panel.js", (r) => r.fulfill({ status: 404, body: "not found" }));
  const logs = await boot(page, [demoRelease("2026.11.2"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  expect(reportFrom(logs, "ready").path.map((p) => p.outcome)).toEqual(["bundle.missing", "ready"]);
});

test("a transient server error is retried, and the retry succeeds", async ({ page }) => {
  let calls = 0;
  await page.route("**/panel/2026.11.2/panel.js", (r) => (++calls === 1 ? r.fulfill({ status: 503, body: "busy" }) : r.fallback()));
  const logs = await boot(page, [demoRelease("2026.11.2"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.2");
  expect(reportFrom(logs, "ready").path.map((p) => p.outcome)).toEqual(["retry", "ready"]);
});

test("the previous release does not fit the migrated backend: error screen, no rollback", async ({ page }) => {
  const logs = await boot(page, [
    release("2026.12.0", "panel/broken/throws.js", { backend: ">=44" }),
    demoRelease("2026.11.1", { backend: ">=42, <44" }),
  ], { config: { ...CONFIG, backendSchema: 44 } });
  expect(await settled(page)).toBe("failed");
  await expect(page.getByRole("alert")).toHaveAttribute("data-desk-error", "panel.threw");
  const report = reportFrom(logs, "failed");
  expect(report.path.map((p) => [p.release, p.outcome])).toEqual([
    ["2026.11.1", "backend.incompatible"], ["2026.12.0", "panel.threw"]]);
  expect(await page.locator('script[src*="2026.11.1"]').count()).toBe(0);
});

test("a release that failed here is quarantined: the next load starts the previous one directly", async ({ page }) => {
  await boot(page, [release("2026.12.0", "panel/broken/throws.js"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  const logs = consoleText(page);
  await page.reload();
  expect(await settled(page)).toBe("ready");
  const report = reportFrom(logs, "ready");
  expect(report.path.map((p) => [p.release, p.outcome])).toEqual([["2026.12.0", "release.quarantined"], ["2026.11.1", "ready"]]);
});

test("the known-good release runs from Cache Storage when the server no longer has it", async ({ page }) => {
  await boot(page, [demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  // The cache is filled in the background after ready.
  await expect.poll(() => page.evaluate(async () => (await (await caches.open("desk-loader-v1")).keys()).length)).toBe(2);
  await page.unroute("**/manifest.json");
  await serve(page, "manifest.json", { format: 1, releases: [release("2026.12.0", "panel/broken/throws.js")] });
  await page.route("**/panel/2026.11.1/**", (r) => r.fulfill({ status: 404, body: "gone" }));
  const logs = consoleText(page);
  await page.reload();
  expect(await settled(page)).toBe("ready");
  await expect(page.locator(".panel-release")).toHaveText("release 2026.11.1");
  const report = reportFrom(logs, "ready");
  expect(report.path.at(-1)).toMatchObject({ release: "2026.11.1", outcome: "ready", fromCache: true });
});

test("with storage disabled the boot still works", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", { get() { throw new DOMException("The operation is insecure.", "SecurityError"); } });
  });
  const logs = await boot(page, [release("2026.12.0", "panel/broken/throws.js"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  expect(JSON.stringify(reportFrom(logs, "ready").problems)).toContain("localStorage is disabled");
});

test("a corrupt or tampered record is discarded and the boot goes on", async ({ page }) => {
  await page.addInitScript(() => {
    if (!sessionStorage.getItem("seeded")) {
      sessionStorage.setItem("seeded", "1");
      localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, knownGood: {
        release: { id: "evil", assets: [{ type: "script", url: "https://evil.example/x.js", integrity: "sha1-x" }] },
        configFingerprint: "x", at: 1 } }));
    }
  });
  const logs = await boot(page, [demoRelease("2026.11.2")]);
  await expectPanel(page, "2026.11.2");
  expect(JSON.stringify(reportFrom(logs, "ready").problems)).toContain("record.discarded");
  expect(await page.locator('script[src*="evil"]').count()).toBe(0);
});

test("two tabs booting at once leave one valid record", async ({ context }) => {
  const pages = [await context.newPage(), await context.newPage()];
  await Promise.all(pages.map((p) => boot(p, [release("2026.12.0", "panel/broken/throws.js"), demoRelease("2026.11.1")])));
  for (const p of pages) await expectPanel(p, "2026.11.1");
  const record = await pages[0].evaluate(() => JSON.parse(localStorage.getItem("desk-loader:record")));
  expect(record.knownGood.release.id).toBe("2026.11.1");
  expect(record.quarantine.map((q) => q.release)).toEqual(["2026.12.0"]);
});

test("the deadline does not run while the page is hidden", async ({ page }) => {
  await page.addInitScript(() => {
    let hidden = true;
    Object.defineProperty(document, "hidden", { get: () => hidden });
    Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
    window.__show = () => { hidden = false; document.dispatchEvent(new Event("visibilitychange")); };
  });
  const logs = await boot(page, [release("2026.12.0", "panel/broken/never-ready.js"), demoRelease("2026.11.1")],
    { options: { readyDeadlineMs: 800 } });
  await page.waitForTimeout(2000);
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "booting");
  await page.evaluate(() => window.__show());
  await expectPanel(page, "2026.11.1");
  expect(reportFrom(logs, "ready").path[0].outcome).toBe("panel.timeout");
});

test("a stylesheet that fails to load fails the attempt too", async ({ page }) => {
  await page.route("**/panel/2026.11.2/panel.css", (r) => r.fulfill({ status: 404, body: "gone" }));
  const logs = await boot(page, [demoRelease("2026.11.2"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  expect(reportFrom(logs, "ready").path[0]).toMatchObject({ release: "2026.11.2", outcome: "bundle.missing" });
});

test("with storage full the boot still works, and the loader says it could not remember", async ({ page }) => {
  await page.addInitScript(() => {
    Storage.prototype.setItem = function () { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };
  });
  const logs = await boot(page, [release("2026.12.0", "panel/broken/throws.js"), demoRelease("2026.11.1")]);
  await expectPanel(page, "2026.11.1");
  await expect.poll(() => logs.some((l) => l.includes("the record was not saved: The quota has been exceeded."))).toBe(true);
});
