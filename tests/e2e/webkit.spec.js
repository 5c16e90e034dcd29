// WebKit, the engine of Safari and of iOS web views, outside WebDriver:
// MiniBrowser started on its own, in a persistent profile (as Safari, or a
// WKWebView on the default data store) or a private one (a non-persistent
// WKWebsiteDataStore). WebDriver's sessions are always ephemeral, so what
// depends on storage that lasts from one page load to the next is shown here.
// The pages drive themselves (desk.js's `autopilot`); the server's log says
// what happened. docs/record.md, "Storage that does not last", and
// docs/embed.md, "Preload hints in WebKit".
const { test, expect, hook, miniBrowser, autopilot, visitEnd } = require("./desk");
const fs = require("fs");
const path = require("path");
const { FRESH, perBuildPage, answer, base64url } = require("./helpers");

const PRELOADED = ["/manifest.json", "/config.json", "/pkg/desk_loader_bg.wasm", "/pkg/desk_loader.js"];

test.beforeEach(({ engine }) => {
  test.skip(engine !== "webkit", "MiniBrowser is WebKit's: these run in the webkit project only");
});

/** Each preloaded file's requests: "download" or "revalidation", in order. */
async function asked(desk) {
  const requests = await desk.requests();
  return Object.fromEntries(PRELOADED.map((file) => [file, requests.filter((r) => r.url === file).map((r) => (r.revalidation ? "revalidation" : "download"))]));
}

// How the README's snippet fetches its preloaded files in WebKit: docs/embed.md, "Preload hints in WebKit".
const PRELOADS = [
  ["in a persistent profile, served as docs/embed.md says, each preloaded file is fetched once", { faults: FRESH }, {}],
  ["in a persistent profile, served no-cache, each preloaded file the loader fetches is revalidated once", {},
    // The glue is a module script: its modulepreload is used as it is.
    { "/manifest.json": ["download", "revalidation"], "/config.json": ["download", "revalidation"], "/pkg/desk_loader_bg.wasm": ["download", "revalidation"] }],
  ["in a private session, each preloaded file the loader fetches is downloaded twice, whatever its headers", { faults: FRESH, privately: true },
    { "/manifest.json": ["download", "download"], "/config.json": ["download", "download"], "/pkg/desk_loader_bg.wasm": ["download", "download"] }],
];
for (const [title, { faults = [], privately = false }, differs] of PRELOADS) {
  test(`${title} (the README's snippet)`, async ({ desk }) => {
    await desk.plan({ faults, init: [hook(autopilot)] });
    await miniBrowser(desk, "/desk.html", { privately, until: async () => Boolean(await visitEnd(desk, 0)) });
    const end = await visitEnd(desk, 0);
    expect(end).toMatchObject({ state: "ready", release: "2026.11.2" });
    const seen = await asked(desk);
    const expected = { ...Object.fromEntries(PRELOADED.map((f) => [f, ["download"]])), ...differs };
    // WebKit shares a preload only through the HTTP cache, so on a busy
    // device a file the loader asks for before its preload has arrived (by
    // the page's own Resource Timing: autopilot's `raced`, which counts a
    // preload with no entry as not arrived) is downloaded again, or,
    // asked while the preload is in flight, the two become one request.
    // Seen in fresh-clone runs with every core busy, the module most often.
    // docs/embed.md, "Preload hints in WebKit". Any other file must be as
    // expected. (The private session lets nothing off: its two downloads of
    // each file show that WebKit does issue every preload.)
    if (!privately) {
      const raced = new Set(end.raced.split(",").filter(Boolean));
      for (const file of raced) {
        expect([expected[file].join(), "download", "download,download"]).toContain(seen[file].join());
        seen[file] = expected[file];
      }
    }
    expect(seen).toEqual(expected);
  });
}

/**
 * Until the second visit has ended and its report has arrived. The report may
 * still be on its way when the page says it ended, and MiniBrowser is closed
 * as soon as `until` holds: closed at the end alone, it could take the report
 * with it (a CI run with every core busy: the private session's report never
 * came).
 */
function secondReport(desk) {
  return async () => Boolean(await visitEnd(desk, 1)) && (await desk.reports()).length >= 2;
}

// The demo's manifest as it is, and with base64url digests, which the cache
// check must read as browsers do (crates/core/src/integrity.rs).
const DEMO_MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, "../../www/manifest.json"), "utf8"));
for (const [digests, faults] of [
  ["base64", []],
  ["base64url", [answer("manifest.json", { ...DEMO_MANIFEST, releases: DEMO_MANIFEST.releases.map(base64url) })]],
]) {
  test(`in a persistent profile, the known-good release runs from Cache Storage when the network is gone (${digests} digests)`, async ({ desk }) => {
    await desk.plan({ faults, init: [hook(autopilot, "offline")] });
    await miniBrowser(desk, "/desk.html", { until: secondReport(desk) });
    expect(await visitEnd(desk, 0)).toMatchObject({ state: "ready", release: "2026.11.2" });
    expect(await visitEnd(desk, 1)).toMatchObject({ state: "ready", release: "2026.11.2" });
    const offline = (await desk.reportsNumbering(2))[1];
    expect(offline.path.at(-1)).toMatchObject({ release: "2026.11.2", outcome: "ready", fromCache: true });
  });
}

// A code-split framework panel (examples/panels/, frameworks.spec.js): its
// chunks resolve offline only at their own URLs, under the service worker.
const PANELS = { react: "2026.12.1", vue: "2026.12.2", svelte: "2026.12.3" };
for (const [framework, id] of Object.entries(PANELS)) {
  test(`in a persistent profile, the known-good ${framework} panel runs offline under the service worker, its chunks resolving, and stays painted`, async ({ desk }) => {
    await desk.plan({ init: [hook(autopilot, { offline: [`/__panels/${framework}/assets/*`] })] });
    await miniBrowser(desk, `/__panels/${framework}.html`, { until: secondReport(desk) });
    expect(await visitEnd(desk, 0)).toMatchObject({ state: "ready", release: id });
    const offline = await visitEnd(desk, 1);
    // A second after ready, the lazy chunk has run, from the cache.
    expect(offline).toMatchObject({ state: "ready", release: id });
    expect(offline.log.split(",")).toContain(`${framework}:lazy`);
    expect(Number(offline.shown)).toBeGreaterThan(0);
    expect((await desk.reportsNumbering(2))[1].path.at(-1)).toMatchObject({ release: id, outcome: "ready" });
    // The files were asked of the server and refused: the worker answered.
    const refused = (await desk.requests()).filter((r) => r.url.startsWith(`/__panels/${framework}/assets/vendor-`));
    expect(refused.length).toBeGreaterThan(1);
  });
}

test("in a private session, the same ends on the error screen, and the report says the cache was lost", async ({ desk }) => {
  // What an agent sees in an iOS app whose web view keeps no site data:
  // localStorage lasts the session, Cache Storage entries do not.
  await desk.plan({ init: [hook(autopilot, "offline")] });
  await miniBrowser(desk, "/desk.html", { privately: true, until: secondReport(desk) });
  expect(await visitEnd(desk, 0)).toMatchObject({ state: "ready", release: "2026.11.2" });
  const seen = await visitEnd(desk, 1);
  expect(seen.state).toBe("failed");
  const report = (await desk.reportsNumbering(2))[1];
  expect(report).toMatchObject({ outcome: "failed", code: seen.code });
  const lost = report.problems.find((p) => p.code === "cache.lost");
  expect(lost && lost.message).toContain("keeps no site data between page loads");
});

test("in a persistent profile, with the loader's files at a per-build path, served immutable, a second visit asks nothing for them", async ({ desk }) => {
  const url = perBuildPage();
  await desk.plan({ init: [hook(autopilot, "revisit")] });
  await miniBrowser(desk, url, { until: async () => Boolean(await visitEnd(desk, 1)) });
  expect(await visitEnd(desk, 1)).toMatchObject({ state: "ready", release: "2026.11.2" });
  const paths = (await desk.requests()).map((r) => r.url);
  const second = paths.slice(paths.findIndex((p) => p.startsWith(`${url}?visit=2`)));
  expect(second.filter((p) => p.startsWith("/__build/")), "the loader's files come from the cache").toEqual([]);
});
