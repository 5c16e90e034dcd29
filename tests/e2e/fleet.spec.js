// Fleet release safety in the browser: staged rollout (docs/manifest.md,
// "Staged rollout"). Which desks take a release is decided on each desk from
// a hash of its id and the release's: agent-2 is inside a 50 % rollout of
// 2026.11.2 and agent-1 outside it (tests/boot.rs checks both places).
const { test, expect, hook } = require("./desk");
const { demoRelease, answer } = require("./helpers");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };

/** The plan's faults for a manifest of `releases`, and the good configuration. */
const documents = (releases) => [answer("manifest.json", { format: 1, releases }), answer("config.json", CONFIG)];

/** 2026.11.2 rolled out to `share` % of desks, over 2026.11.1. */
const rolledOut = (share) => documents([demoRelease("2026.11.2", { rollout: share }), demoRelease("2026.11.1")]);

async function bootsOn(desk) {
  expect(await desk.settled()).toBe("ready");
  return desk.attr("#desk", "data-desk-release");
}

for (const [id, release] of [["agent-2", "2026.11.2"], ["agent-1", "2026.11.1"]]) {
  test(`a release rolled out to 50 %: desk ${id} boots ${release}, and again after a reload`, async ({ desk }) => {
    await desk.plan({ options: { deskId: id }, faults: rolledOut(50) });
    await desk.open("/desk.html");
    expect(await bootsOn(desk)).toBe(release);
    await desk.reload();
    expect(await bootsOn(desk)).toBe(release);
    const [first, second] = await desk.reportsNumbering(2);
    // The report says whether the release served was taken under a rollout, and at what share.
    for (const report of [first, second]) expect(report.rollout).toBe(release === "2026.11.2" ? 50 : null);
  });
}

for (const [share, release] of [[0, "2026.11.1"], [100, "2026.11.2"]]) {
  for (const id of ["agent-1", "agent-2"]) {
    test(`at ${share} %, ${share ? "every desk takes the release" : "no desk takes the release"}: ${id} boots ${release}`, async ({ desk }) => {
      await desk.plan({ options: { deskId: id }, faults: rolledOut(share) });
      await desk.open("/desk.html");
      expect(await bootsOn(desk)).toBe(release);
    });
  }
}

test("without deskId, a desk keeps a random id in localStorage, and its answer on reload", async ({ desk }) => {
  await desk.plan({ faults: rolledOut(50) });
  await desk.open("/desk.html");
  const release = await bootsOn(desk);
  const id = await desk.eval(() => localStorage.getItem("desk-loader:desk-id"));
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  await desk.reload();
  expect(await bootsOn(desk)).toBe(release);
  expect(await desk.eval(() => localStorage.getItem("desk-loader:desk-id"))).toBe(id);
});

// The demo gallery's two rollout scenarios: a release that throws, rolled
// out to 10 % of desks; the desk inside tries it and falls back, the desk
// outside never tries it.
test("the gallery's rollout scenarios: inside the share the broken release is tried and left, outside it is never tried", async ({ desk }) => {
  await desk.plan({});
  await desk.open("/scenarios/rollout-inside/");
  expect(await bootsOn(desk)).toBe("2026.11.1");
  const inside = await desk.report("ready");
  expect(inside.path.map((p) => [p.release, p.outcome, p.rollout])).toEqual([["2026.12.0", "panel.threw", 10], ["2026.11.1", "ready", undefined]]);
  await desk.open("/scenarios/rollout-outside/");
  expect(await bootsOn(desk)).toBe("2026.11.1");
  const [, outside] = await desk.reportsNumbering(2);
  expect(outside.path.map((p) => [p.release, p.outcome])).toEqual([["2026.11.1", "ready"]]);
  expect(JSON.stringify(outside)).not.toContain("2026.12.0");
});

// Recovery without a reload (docs/error-screen.md): a desk on the error
// screen reads the documents again by itself and boots once a release can
// run. With recheckMs 1000 the first recheck comes 0.5 to 1 s after the
// screen, the second 1 to 2 s after the first.
const BROKEN = { values: { CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };
const RECHECK_MS = 1000;
/** 2026.11.1, which needs API_URL: BROKEN lacks it. */
const NEEDS_API = answer("manifest.json", { format: 1, releases: [demoRelease("2026.11.1", { config: { variables: { API_URL: { type: "url", required: true } } } })] });

/** The hook that makes the page hidden until `window.__show()`. */
const HIDDEN = hook(() => {
  let hidden = true;
  Object.defineProperty(document, "hidden", { get: () => hidden });
  Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible") });
  window.__show = () => { hidden = false; document.dispatchEvent(new Event("visibilitychange")); };
});

const state = (desk) => desk.attr("#desk", "data-desk-state");

/** How long the agent of the Try again test looks at the screen before clicking. */
const SCREEN_READ_MS = 2500;

test("a desk on the error screen recovers by itself once the configuration is fixed: no click, no reload", async ({ desk }) => {
  await desk.plan({ options: { recheckMs: RECHECK_MS }, faults: [NEEDS_API, answer("config.json", BROKEN)] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("failed");
  await desk.eval(() => { window.__sameDocument = true; });
  const asked = async () => (await desk.paths()).filter((p) => p === "/config.json").length;
  // Rechecks come by themselves, and find the same problem: the screen stays, no new report.
  // (WebKit under WebDriver fetches a preloaded file twice: count from what the first boot asked.)
  const first = await asked();
  await expect.poll(asked, { message: "a recheck read the configuration again", timeout: 2 * 3 * RECHECK_MS + 5000 }).toBeGreaterThan(first);
  expect(await state(desk)).toBe("failed");
  expect(await desk.reports()).toHaveLength(1);
  // The operator fixes the configuration: the desk boots in the same page.
  await desk.setFaults([NEEDS_API, answer("config.json", CONFIG)]);
  // Bound: the longest the next recheck may wait after the fix (the 4th: 8 s), twice, and a boot.
  await desk.waitFor(() => document.getElementById("desk").getAttribute("data-desk-state") === "ready", undefined,
    { timeout: 2 * 8 * RECHECK_MS + 10_000, message: "the desk recovered by itself" });
  expect(await desk.text(".panel-release")).toBe("release 2026.11.1");
  expect(await desk.eval(() => window.__sameDocument)).toBe(true);
  const [failed, recovered] = await desk.reportsNumbering(2);
  expect(failed).toMatchObject({ outcome: "failed", code: "config.missing" });
  expect(recovered).toMatchObject({ outcome: "ready", recovered: true });
  expect(recovered.bootId).not.toBe(failed.bootId);
  expect(recovered.errorScreenMs).toBeGreaterThan(0);
});

test("Try again, with rechecks off: a click that fails the same way shows the screen and reports again; once fixed, a click boots in the same page", async ({ desk }) => {
  await desk.plan({ options: { recheckMs: 0 }, faults: [NEEDS_API, answer("config.json", BROKEN)] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("failed");
  await desk.eval(() => { window.__sameDocument = true; });
  const click = () => desk.eval(() => document.querySelector("[role=alert] button").click());
  // The agent reads the screen a while before the first click.
  await desk.eval((ms) => new Promise((f) => setTimeout(f, ms)), SCREEN_READ_MS);
  await click();
  const [, again] = await desk.reportsNumbering(2);
  expect(again).toMatchObject({ outcome: "failed", code: "config.missing" });
  expect(await desk.text("[role=alert] button")).toBe("Try again");
  await desk.setFaults([NEEDS_API, answer("config.json", CONFIG)]);
  await click();
  expect(await desk.settled()).toBe("ready");
  expect(await desk.eval(() => window.__sameDocument)).toBe(true);
  const [failed, , recovered] = await desk.reportsNumbering(3);
  expect(recovered).toMatchObject({ outcome: "ready", recovered: true });
  // Counted from the first screen, not from the second click's.
  expect(failed).toMatchObject({ outcome: "failed", code: "config.missing" });
  expect(recovered.errorScreenMs).toBeGreaterThanOrEqual(SCREEN_READ_MS);
});

test("a hidden desk on the error screen asks nothing until it shows again", async ({ desk }) => {
  await desk.plan({ init: [HIDDEN], options: { recheckMs: RECHECK_MS }, faults: [NEEDS_API, answer("config.json", BROKEN)] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("failed");
  await desk.setFaults([NEEDS_API, answer("config.json", CONFIG)]);
  const asked = async () => (await desk.paths()).filter((p) => p === "/config.json").length;
  const first = await asked();
  // Past several rechecks' worth of time, hidden: nothing asked again.
  await desk.eval((ms) => new Promise((f) => setTimeout(f, ms)), 3 * RECHECK_MS);
  expect(await asked()).toBe(first);
  await desk.eval(() => window.__show());
  await desk.waitFor(() => document.getElementById("desk").getAttribute("data-desk-state") === "ready", undefined,
    { timeout: 2 * RECHECK_MS + 10_000, message: "the desk recovered once shown" });
});

test("the gallery's recovers scenario: the error screen, then the panel by itself once its configuration is fixed", async ({ desk }) => {
  await desk.plan({});
  await desk.open("/scenarios/recovers/");
  expect(await desk.settled()).toBe("failed");
  expect(await desk.attr("[role=alert]", "data-desk-error")).toBe("config.missing");
  // What the gallery asks of its visitor: the fixed file in place of the broken one.
  const fixed = (await (await fetch(`${desk.origin}/scenarios/recovers/config.fixed.json`)).text());
  await desk.setFaults([answer("/scenarios/recovers/config.json", fixed)]);
  // The page's recheckMs is 5000: the 2nd recheck comes at most 10 s after the 1st; twice that, and a boot.
  await desk.waitFor(() => document.getElementById("desk").getAttribute("data-desk-state") === "ready", undefined,
    { timeout: 2 * (5000 + 10_000) + 10_000, message: "the scenario recovered by itself" });
  expect(await desk.text(".panel-release")).toBe("release 2026.11.1");
});
