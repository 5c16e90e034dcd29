// The integrators' kit, installed as a desk team would: `cargo xtask test`
// packs the npm tarball, installs it into a scratch project, bundles
// examples/host/main.ts with esbuild (the module imported as a file URL) and
// puts the result under /__dist/ (xtask/src/dist.rs). Here it boots.
const { test, expect } = require("./desk");

test("the npm package, installed from its tarball and bundled with esbuild, boots the desk", async ({ desk }) => {
  await desk.plan({});
  await desk.open("/__dist/index.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.text(".panel-release")).toBe("release 2026.11.2");
  // settled exists without boot.js: the loader made it when it started.
  const report = await desk.eval(() => window.deskLoader.settled);
  expect(report).toMatchObject({ outcome: "ready", release: "2026.11.2" });
  // The module the bundle found: esbuild's hashed copy, served as application/wasm.
  const wasm = await desk.eval(async () => {
    const entry = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".wasm"));
    const response = await fetch(entry.name);
    return { path: new URL(entry.name).pathname, type: response.headers.get("content-type") };
  });
  expect(wasm.path).toMatch(/^\/__dist\/desk_loader_bg-[A-Z0-9]+\.wasm$/);
  expect(wasm.type).toBe("application/wasm");
  // The host page's typed listener saw the states.
  expect(await desk.eval(() => document.title)).toBe("Desk: ready (2026.11.2)");
});

test("the npm package bundled by Vite, with the README's ?url import, boots the desk", async ({ desk }) => {
  await desk.plan({});
  await desk.open("/__dist/vite/index.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.text(".panel-release")).toBe("release 2026.11.2");
  // The module Vite emitted, under its own hashed name.
  const wasm = await desk.eval(() => performance.getEntriesByType("resource").find((r) => r.name.endsWith(".wasm")).name);
  expect(new URL(wasm).pathname).toMatch(/^\/__dist\/vite\/assets\/desk_loader_bg-[\w-]+\.wasm$/);
  // init() was called the current way: no deprecation warning from the glue.
  expect((await desk.console()).filter((l) => l.includes("deprecated"))).toEqual([]);
});
