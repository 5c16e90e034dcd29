// Fleet release safety in the browser: staged rollout (docs/manifest.md,
// "Staged rollout"). Which desks take a release is decided on each desk from
// a hash of its id and the release's: agent-2 is inside a 50 % rollout of
// 2026.11.2 and agent-1 outside it (tests/boot.rs checks both places).
const { test, expect } = require("./desk");
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
