// The test-harness API: `window.deskLoader.settled`, a Promise of the boot's
// report (docs/embed.md, "Awaiting the outcome"), and the harness example a
// desk team copies (examples/harness/).
const { test, expect, hook } = require("./desk");
const { release, demoRelease, answer } = require("./helpers");
const { expectDeskReady } = require("../../examples/harness/desk-loader-harness");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };
const INCIDENT = answer("config.json", { values: { API_URL: "https://api.desk.example" }, backendSchema: 43 });

// Records, when the first panel file is added to the page, whether the
// Promise was already there; and counts the reports the page was told of.
const WATCH = hook(() => {
  window.__reports = 0;
  document.addEventListener("desk-loader:report", () => window.__reports++);
  new MutationObserver((changes, observer) => {
    for (const c of changes) for (const n of c.addedNodes) {
      if (n.tagName === "SCRIPT" && /\/panel\//.test(n.src || "")) {
        window.__settledBeforePanel = Boolean(window.deskLoader && window.deskLoader.settled && window.deskLoader.settled.then);
        observer.disconnect();
        return;
      }
    }
  }).observe(document, { childList: true, subtree: true });
});

// The promise, once boot.js has made it: a WebDriver navigation (WebKit's)
// can return before the page's module scripts have run, and the page then
// has no `window.deskLoader` yet (a TypeError in the page, seen once in ten).
const settled = async (desk) => {
  await desk.waitFor(() => Boolean(window.deskLoader && window.deskLoader.settled), undefined, { message: "boot.js made deskLoader.settled" });
  return desk.eval(() => window.deskLoader.settled);
};

test("settled exists before any panel file loads and resolves with the ready report", async ({ desk }) => {
  await desk.plan({ init: [WATCH] });
  await desk.open("/desk.html");
  const report = await settled(desk);
  expect(report).toMatchObject({ format: 1, outcome: "ready", release: "2026.11.2", code: null });
  expect(await desk.eval(() => window.__settledBeforePanel)).toBe(true);
  // The report it resolves with is the one the loader logged and sent.
  expect((await desk.report("ready")).bootId).toBe(report.bootId);
});

test("after a fallback, settled resolves once, with the final report, not the failed attempt's", async ({ desk }) => {
  await desk.plan({
    init: [WATCH],
    faults: [answer("manifest.json", { format: 1, releases: [release("2026.12.0", "panel/broken/throws.js"), demoRelease("2026.11.1")] }), answer("config.json", CONFIG)],
  });
  await desk.open("/desk.html");
  const report = await settled(desk);
  expect(report).toMatchObject({ outcome: "ready", release: "2026.11.1", fallbacks: 1, recovered: true });
  expect(report.problems.map((p) => p.code)).toContain("panel.threw");
  expect(await desk.eval(() => window.__reports)).toBe(1);
});

test("a missing variable: settled resolves (never rejects) with the failed report naming it", async ({ desk }) => {
  await desk.plan({ faults: [INCIDENT] });
  await desk.open("/desk.html");
  const report = await settled(desk);
  expect(report).toMatchObject({ outcome: "failed", code: "config.missing" });
  expect(report.problems.map((p) => p.message).join("\n")).toContain("CHAT_TOKEN: required by the core panel, but not set");
});

test("when the loader itself cannot run, settled resolves with unavailable.js's report", async ({ desk }) => {
  await desk.plan({ faults: [{ path: "/pkg/desk_loader.js", status: 404, body: "" }] });
  await desk.open("/desk.html");
  const report = await settled(desk);
  expect(report).toMatchObject({ outcome: "failed", code: "loader.unavailable" });
  expect(report.supportCode).toBe(await desk.text("[role=alert] .desk-loader-code strong"));
});

// The example drives a Playwright page; WebKit's tab here is a WebDriver session.
test.describe("the harness example", () => {
  test.beforeEach(({ engine }) => {
    test.skip(engine === "webkit", "examples/harness/ is a Playwright test, and Playwright cannot drive WebKitGTK; the settled tests above run in WebKit");
  });

  test("passes on a healthy desk", async ({ desk }) => {
    await desk.plan({});
    await desk.open("/desk.html");
    expect((await expectDeskReady(desk.tab.page)).outcome).toBe("ready");
  });

  test("fails on the incident, listing the missing variable", async ({ desk }) => {
    await desk.plan({ faults: [INCIDENT] });
    await desk.open("/desk.html");
    const error = await expectDeskReady(desk.tab.page).then(() => null, (e) => e);
    expect(error && error.message).toMatch(/^the desk did not start: config\.missing \(support code config\.missing-[0-9A-Z]{6}\)\n  error config\.missing: CHAT_TOKEN: required by the core panel, but not set/);
  });
});
