// Real panels: React, Vue and Svelte apps built by Vite from npm
// (examples/panels/), each written the way its framework's docs start an
// app (render, then ctx.ready() in boot), code split into an entry, a vendor
// chunk and a lazy chunk. Their release entries are written by `desk-loader
// release` from Vite's build manifest, and each page by `desk-loader embed`
// with the import map that has the browser check every chunk
// (xtask/src/panels.rs). Behind each release, the demo's 2026.11.1.
const fs = require("node:fs");
const path = require("node:path");
const { test, expect, hook } = require("./desk");

const PANELS = path.join(__dirname, "../../target/panels");

/** The release entry `desk-loader release` wrote for `framework`. */
const release = (framework) => JSON.parse(fs.readFileSync(path.join(PANELS, framework, "release.json"), "utf8"));

/** The URL of the release's chunk whose file name starts with `name`. */
const chunk = (framework, name) =>
  release(framework).assets.find((a) => a.type === "chunk" && path.basename(a.url).startsWith(name)).url;

const panelLog = (desk) => desk.eval(() => window.__panelLog || []);

for (const framework of ["react", "vue", "svelte"]) {
  test(`a ${framework} panel built by Vite boots ready, rendered then ready() as its docs start an app, its lazy chunk loaded`, async ({ desk }) => {
    await desk.plan({});
    await desk.open(`/__panels/${framework}.html`);
    expect(await desk.settled()).toBe("ready");
    const { id } = release(framework);
    expect(await desk.attr("#desk", "data-desk-release")).toBe(id);
    expect(await desk.text(`[data-panel-framework=${framework}] h1`)).toContain(id);
    // The lazy chunk came, through the import map's check, and rendered.
    await expect.poll(() => panelLog(desk), { message: "the lazy chunk ran" }).toContain(`${framework}:lazy`);
    const report = await desk.report("ready");
    expect(report.path.map((p) => [p.release, p.outcome])).toEqual([[id, "ready"]]);
    await desk.screenshot(`framework-${framework}`);
  });

  test(`offline, the known-good ${framework} release runs under the service worker from the cache, its chunks resolving, and stays painted`, async ({ desk }) => {
    await desk.plan({});
    await desk.open(`/__panels/${framework}.html`);
    expect(await desk.settled()).toBe("ready");
    // Once ready, the loader registers the worker and keeps the release's files, chunks too.
    await desk.waitFor(() => navigator.serviceWorker.controller !== null && JSON.parse(localStorage.getItem("desk-loader:record") || "{}").knownGood?.cached === true,
      undefined, { message: "the worker controls the page and the release is in the cache" });
    // The server no longer gives any file of the release.
    await desk.setFaults([{ path: `/__panels/${framework}/assets/*`, status: 503 }]);
    // A navigation, not a reload: WebKit's WebDriver reloads from the origin, past the worker.
    await desk.open(`/__panels/${framework}.html?again`);
    expect(await desk.settled()).toBe("ready");
    expect(await desk.attr("#desk", "data-desk-release")).toBe(release(framework).id);
    await expect.poll(() => panelLog(desk), { message: "the lazy chunk ran, from the cache" }).toContain(`${framework}:lazy`);
    // Asked of the server, refused, and answered by the worker.
    expect((await desk.paths()).filter((p) => p.includes("/assets/vendor-")).length).toBeGreaterThan(1);
    await desk.eval(() => new Promise((f) => setTimeout(f, 1000)));
    expect(await desk.text(`[data-panel-framework=${framework}] h1`)).toContain(release(framework).id);
  });

  test(`a removed ${framework} attempt is told through ctx.signal, and its root unmounts`, async ({ desk }) => {
    // The panel starts and says ready, but shows nothing the agent can see
    // (the page's style hides it): panel.empty removes the attempt.
    await desk.plan({
      init: [hook(() => {
        document.addEventListener("DOMContentLoaded", () => {
          const style = document.createElement("style");
          style.textContent = "[data-panel-framework] { display: none; }";
          document.head.append(style);
        });
      })],
    });
    await desk.open(`/__panels/${framework}.html`);
    expect(await desk.settled()).toBe("ready");
    expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
    expect((await desk.report("ready")).path[0]).toMatchObject({ release: release(framework).id, outcome: "panel.empty" });
    expect(await panelLog(desk)).toContain(`${framework}:unmounted`);
    // Nothing of it is left in the mount point: the demo's panel alone.
    expect(await desk.count("#desk [data-panel-framework]")).toBe(0);
  });

  test(`a ${framework} panel boots on a page that reads its manifest from a URL, with the map desk-loader importmap printed`, async ({ desk }) => {
    await desk.plan({});
    await desk.open(`/__panels/${framework}-url.html`);
    expect(await desk.settled()).toBe("ready");
    expect(await desk.attr("#desk", "data-desk-release")).toBe(release(framework).id);
    await expect.poll(() => panelLog(desk), { message: "the lazy chunk ran" }).toContain(`${framework}:lazy`);
    expect(await desk.paths()).toContain(`/__panels/${framework}/manifest.json`);
  });

  test(`a ${framework} release whose vendor chunk was tampered with never runs it: the desk falls back`, async ({ desk }) => {
    await desk.plan({ faults: [{ path: chunk(framework, "vendor"), tamper: true }] });
    await desk.open(`/__panels/${framework}.html`);
    expect(await desk.settled()).toBe("ready");
    expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
    const report = await desk.report("ready");
    expect(report.path.map((p) => [p.release, p.outcome])).toEqual([[release(framework).id, "bundle.integrity"], ["2026.11.1", "ready"]]);
    expect(JSON.stringify(report.problems)).toContain(path.basename(chunk(framework, "vendor")));
    // Nothing of the graph ran: the entry needs the vendor chunk first.
    expect(await panelLog(desk)).toEqual([]);
  });

  test(`a ${framework} release whose lazy chunk was tampered with never runs it, and the desk is never blank`, async ({ desk }) => {
    desk.expectPageErrors(/./);
    await desk.plan({ faults: [{ path: chunk(framework, "Details"), tamper: true }] });
    await desk.open(`/__panels/${framework}.html`);
    expect(await desk.settled()).toBe("ready");
    await expect.poll(() => panelLog(desk), { message: "the entry ran" }).toContain(`${framework}:entry`);
    // Past the lazy chunk's refusal: it never ran, and the desk shows something.
    await desk.eval(() => new Promise((f) => setTimeout(f, 1000)));
    expect(await panelLog(desk)).not.toContain(`${framework}:lazy`);
    expect((await desk.eval(() => document.getElementById("desk").innerText)).trim()).not.toBe("");
  });
}

test("a release with chunks on a page whose import map does not list them never starts: the browser would not check them", async ({ desk }) => {
  const { answer, demoRelease } = require("./helpers");
  const react = release("react");
  await desk.plan({ faults: [answer("manifest.json", { format: 1, releases: [react, demoRelease("2026.11.1")] })] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
  const report = await desk.report("ready");
  expect(report.path[0]).toMatchObject({ release: react.id, outcome: "bundle.integrity" });
  expect(JSON.stringify(report.problems)).toContain("the page's import map gives no integrity for it");
  // Not one file of it was asked for.
  expect((await desk.paths()).filter((p) => p.startsWith("/__panels/"))).toEqual([]);
});
