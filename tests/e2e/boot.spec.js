// The walking skeleton, end to end: the demo desk page boots the fake panel
// through the loader, each file is fetched once, and the loader remembers
// the release that worked.
const { test, expect, hook } = require("./desk");
const { perBuildPage, FRESH } = require("./helpers");

const PRELOADED = ["/manifest.json", "/config.json", "/pkg/desk_loader_bg.wasm", "/pkg/desk_loader.js"];

test("the demo desk boots the panel through the loader", async ({ desk }) => {
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.visible(".panel")).toBe(true);
  expect(await desk.text(".panel-release")).toBe("release 2026.11.2");
  expect(await desk.visible('#desk [aria-label="Reply to Camille D."]')).toBe(true);

  const record = await desk.waitFor(() => JSON.parse(localStorage.getItem("desk-loader:record")));
  expect(record).toMatchObject({ format: 1, knownGood: { release: { id: "2026.11.2" }, backendSchema: 43 } });
  expect(record.knownGood.release.assets.map((a) => a.type)).toEqual(["style", "script"]);

  // The panel's files were added with integrity, by the loader.
  expect(await desk.attr('script[data-desk-attempt="1"]', "integrity")).toMatch(/^sha384-/);
  expect(await desk.errors()).toEqual([]);
  await desk.screenshot("demo-ready");
});

test("the README's snippet, served as docs/embed.md says, fetches each file once: the loader's requests reuse the preloads", async ({ desk, engine }) => {
  // desk.html preloads the module, the manifest and the configuration; a hint
  // that did not match the loader's own request (another URL, CORS mode or
  // destination) shows up as a second request, and the round trip it saves
  // is lost.
  test.skip(engine === "webkit", "WebDriver's MiniBrowser is a private session, where WebKit fetches these twice whatever the headers: webkit.spec.js shows both, in a persistent profile and a private one");
  await desk.plan({ faults: FRESH });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  const paths = await desk.paths();
  for (const file of PRELOADED) expect(paths.filter((p) => p === file), file).toHaveLength(1);
});

test("served no-cache, Chromium and Firefox still use each preload as it is", async ({ desk, engine }) => {
  // docs/embed.md, "Preload hints in WebKit": WebKit revalidates a no-cache
  // preload before the loader may use it (webkit.spec.js); the others hand
  // the preloaded response over whatever its cache headers.
  test.skip(engine === "webkit", "WebKit revalidates each: webkit.spec.js shows it in a persistent profile");
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  const paths = await desk.paths();
  for (const file of PRELOADED) expect(paths.filter((p) => p === file), file).toHaveLength(1);
});

test("the fast embed paints its styled loading state before any of the loader's files arrive", async ({ desk }) => {
  // The loader's stylesheet is inline in desk-loader embed's output: nothing
  // render-blocking stands between the HTML and the loading state's first
  // paint. With a <link> instead, a slow desk-loader.css would hold the page
  // blank, and its first layout would run while the module is waiting.
  await desk.plan({ faults: ["/pkg/*", "/boot.js", "/unavailable.js", "/desk-loader.css"].map((path) => ({ path, hang: true })) });
  // The module script never arrives, so DOMContentLoaded never comes: do not wait for it.
  await desk.go("/desk-fast.html");
  await desk.waitFor(() => performance.getEntriesByName("first-contentful-paint").length > 0, undefined, { timeout: 5_000 });
  const loading = await desk.eval(() => {
    const el = document.querySelector(".desk-loader-loading");
    const spinner = el && el.querySelector(".desk-loader-spinner");
    return el && { text: el.textContent, display: getComputedStyle(el).display, spin: spinner && getComputedStyle(spinner).animationName };
  });
  expect(loading).toEqual({ text: "Loading the desk…", display: "flex", spin: "desk-loader-spin" });
  expect(await desk.attr("#desk", "data-desk-state")).toBe("loading");
  // The module's preload is asked for (a busy machine may paint first; the
  // poll is a hang detector), and the stylesheet never is.
  await expect.poll(() => desk.paths(), { timeout: 10_000 }).toContain("/pkg/desk_loader_bg.wasm");
  expect(await desk.paths()).not.toContain("/desk-loader.css");
});

test("the fast embed boots with no document fetch and each file fetched once", async ({ desk, engine }) => {
  // www/desk-fast.html is `desk-loader embed` output: the manifest and the
  // configuration inline, the module and the release's files preloaded with
  // their integrity. A preload that did not match the loader's own request
  // (another integrity or CORS mode) would show up as a second request.
  // Cache Storage is taken away: the fetches that copy the release into it
  // once it is ready, off the critical path, are not the boot's. The
  // loader's files are served fresh, as docs/embed.md says (in production:
  // at a per-build path, immutable).
  await desk.plan({ init: [hook(() => { delete window.caches; })], faults: FRESH });
  await desk.open("/desk-fast.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.text(".panel-release")).toBe("release 2026.11.2");
  const before = await desk.paths();
  expect(before.filter((p) => p.endsWith(".json"))).toEqual([]);
  // In a private WebKit session (WebDriver's), the module the loader fetches
  // is downloaded twice: docs/embed.md, "Preload hints in WebKit".
  const times = (file) => (engine === "webkit" && file.endsWith(".wasm") ? 2 : 1);
  for (const file of ["/panel/2026.11.2/panel.js", "/panel/2026.11.2/panel.css", "/pkg/desk_loader_bg.wasm", "/pkg/desk_loader.js"]) {
    expect(before.filter((p) => p === file), file).toHaveLength(times(file));
  }
  expect(await desk.errors()).toEqual([]);
});

test("with the loader's files at a per-build path, served immutable, a second visit asks nothing for them", async ({ desk, engine }) => {
  test.skip(engine === "webkit", "MiniBrowser under WebDriver keeps no HTTP cache from one page to the next (an ephemeral data store): webkit.spec.js runs this in a persistent profile");
  // docs/embed.md, "Serving the loader's files": `desk-loader embed
  // --loader-base /<build>/` and `Cache-Control: immutable` on that path. On
  // the second visit the loader comes from the cache without a request, so it
  // runs while the page and the panel's files are revalidated.
  const url = perBuildPage();
  await desk.open(url);
  expect(await desk.settled()).toBe("ready");
  await desk.open("about:blank");
  const firstVisit = (await desk.paths()).length;
  await desk.open(url);
  expect(await desk.settled()).toBe("ready");
  expect(await desk.text(".panel-release")).toBe("release 2026.11.2");
  const second = (await desk.paths()).slice(firstVisit);
  expect(second.filter((p) => p.startsWith("/__build/")), "the loader's files come from the cache").toEqual([]);
  expect(second, "the panel's files are revalidated").toContain("/panel/2026.11.2/panel.js");
});

test("a second boot of the same release downloads each of its files once: the cache already holds them", async ({ desk }) => {
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  // The first boot keeps the release's files for an offline fallback.
  await desk.waitFor(() => JSON.parse(localStorage.getItem("desk-loader:record") || "{}").knownGood?.cached === true,
    undefined, { message: "the release is in the cache" });
  const before = (await desk.paths()).length;
  await desk.open("/desk.html?again");
  expect(await desk.settled()).toBe("ready");
  // Past the cache check that follows ready, which asks the server nothing.
  await desk.waitFor(() => JSON.parse(localStorage.getItem("desk-loader:record") || "{}").knownGood?.cached === true);
  await desk.eval(() => new Promise((f) => setTimeout(f, 500)));
  const second = (await desk.paths()).slice(before);
  for (const file of ["/panel/2026.11.2/panel.js", "/panel/2026.11.2/panel.css"]) {
    expect(second.filter((p) => p === file), file).toHaveLength(1);
  }
});
