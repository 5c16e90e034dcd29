// The walking skeleton, end to end: the demo desk page boots the fake panel
// through the loader, and the loader remembers the release that worked.
const { test, expect } = require("@playwright/test");
const { perBuildPage } = require("./helpers");

test("the demo desk boots the panel through the loader", async ({ page }) => {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/desk.html");

  const desk = page.locator("#desk");
  await expect(desk).toHaveAttribute("data-desk-state", "ready");
  await expect(page.locator(".panel")).toBeVisible();
  await expect(page.locator(".panel-release")).toHaveText("release 2026.11.2");
  await expect(page.getByRole("textbox", { name: "Reply to Camille D." })).toBeVisible();

  const record = await page.evaluate(() => JSON.parse(localStorage.getItem("desk-loader:record")));
  expect(record).toMatchObject({ format: 1, knownGood: { release: { id: "2026.11.2" }, backendSchema: 43 } });
  expect(record.knownGood.release.assets.map((a) => a.type)).toEqual(["style", "script"]);

  // The panel's files were added with integrity, by the loader.
  const integrity = await page.locator('script[data-desk-attempt="1"]').getAttribute("integrity");
  expect(integrity).toMatch(/^sha384-/);
  expect(errors).toEqual([]);

  await page.screenshot({ path: "../../target/e2e/screenshots/demo-ready.png", fullPage: true });
});

test("the README's snippet fetches each document once: the loader's request reuses the preload", async ({ page }) => {
  // desk.html preloads manifest.json and config.json with the module; a hint
  // that did not match the loader's own request (another URL or CORS mode)
  // would show up as a second request, and the round trip it saves lost.
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await page.goto("/desk.html");
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "ready");
  for (const doc of ["/manifest.json", "/config.json"]) {
    expect(requests.filter((p) => p === doc), doc).toHaveLength(1);
  }
  expect(warnings.filter((w) => w.includes("preload"))).toEqual([]);
});

test("the fast embed paints its styled loading state before any of the loader's files arrive", async ({ page }) => {
  // The loader's stylesheet is inline in desk-loader embed's output: nothing
  // render-blocking stands between the HTML and the loading state's first
  // paint. With a <link> instead, a slow desk-loader.css would hold the page
  // blank, and its first layout would run while the module is waiting.
  const held = [];
  for (const pattern of ["**/pkg/**", "**/boot.js", "**/unavailable.js", "**/desk-loader.css"]) {
    await page.route(pattern, (route) => { held.push(new URL(route.request().url()).pathname); });
  }
  await page.goto("/desk-fast.html", { waitUntil: "commit" });

  await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0, null, { timeout: 5_000 });
  const loading = page.locator(".desk-loader-loading");
  await expect(loading).toHaveText("Loading the desk…");
  await expect(loading).toHaveCSS("display", "flex");
  expect(await loading.evaluate((el) => getComputedStyle(el, "::before").animationName)).toBe("desk-loader-spin");
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "loading");
  expect(held).toContain("/pkg/desk_loader_bg.wasm");
  expect(held).not.toContain("/desk-loader.css");
  await page.screenshot({ path: "../../target/e2e/screenshots/fast-embed-loading.png" });
});

test("the fast embed boots with no document fetch and each file fetched once", async ({ page }) => {
  // www/desk-fast.html is `desk-loader embed` output: the manifest and the
  // configuration inline, the module and the release's files preloaded with
  // their integrity. A preload that did not match the loader's own request
  // (another integrity or CORS mode) would show up as a second request.
  // Not counted: the fetches that copy the release into Cache Storage once
  // it is ready, off the critical path.
  const requests = [];
  let ready = false;
  page.on("request", (r) => { if (!ready) requests.push(new URL(r.url()).pathname); });
  await page.exposeFunction("__deskReady", () => { ready = true; });
  await page.addInitScript(() => document.addEventListener("desk-loader:state", (e) => {
    if (e.detail.state === "ready") window.__deskReady();
  }));
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/desk-fast.html");

  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "ready");
  await expect(page.locator(".panel-release")).toHaveText("release 2026.11.2");
  expect(requests.filter((p) => p.endsWith(".json"))).toEqual([]);
  const count = (p) => requests.filter((r) => r === p).length;
  for (const file of ["/panel/2026.11.2/panel.js", "/panel/2026.11.2/panel.css", "/pkg/desk_loader_bg.wasm", "/pkg/desk_loader.js"]) {
    expect(count(file), file).toBe(1);
  }
  expect(errors).toEqual([]);
});

test("with the loader's files at a per-build path, served immutable, a second visit asks nothing for them", async ({ page }) => {
  // docs/embed.md, "Serving the loader's files": `desk-loader embed
  // --loader-base /<build>/` and `Cache-Control: immutable` on that path. On
  // the second visit the loader comes from the cache without a request, so it
  // runs while the page and the panel's files are revalidated.
  const url = perBuildPage();
  await page.goto(url);
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "ready");
  await page.goto("about:blank");
  await page.goto(url);
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "ready");
  await expect(page.locator(".panel-release")).toHaveText("release 2026.11.2");
  const fetched = await page.evaluate(() => performance.getEntriesByType("resource")
    .map((e) => ({ path: new URL(e.name).pathname, bytes: e.transferSize })));
  const loader = fetched.filter((e) => e.path.startsWith("/__build/"));
  expect(loader.map((e) => e.path.replace(/^\/__build\/[0-9a-f]+\//, ""))).toEqual(expect.arrayContaining(["pkg/desk_loader.js", "pkg/desk_loader_bg.wasm", "boot.js"]));
  // transferSize 0: taken from the cache, no request; a revalidation (304) has headers.
  expect(loader.filter((e) => e.bytes > 0)).toEqual([]);
  expect(fetched.find((e) => e.path === "/panel/2026.11.2/panel.js").bytes, "the panel's files are revalidated").toBeGreaterThan(0);
});
