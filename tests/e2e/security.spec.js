// Trust rules in the browser: code only from allowed origins, CSP violations
// reported by directive, size limits, tampered records, secrets.
const { test, expect, hook } = require("./desk");
const { demoRelease, answer } = require("./helpers");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };

/**
 * Records what the page tries to load or send: every element with a `src` or
 * `href` added to the document, and every beacon or fetch, with its URL.
 * Requests to hosts the test server is not may never reach a log.
 */
const WATCH_URLS = hook(() => {
  window.__urls = [];
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && (n.src || n.href)) window.__urls.push(n.src || n.href);
  }).observe(document, { childList: true, subtree: true });
  const beacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, body) => { window.__urls.push(String(url)); return beacon(url, body); };
  const fetch = window.fetch.bind(window);
  window.fetch = (input, init) => { window.__urls.push(String(input && input.url ? input.url : input)); return fetch(input, init); };
});

/** The same release, with its files on `cdn`, another origin. */
function foreign(cdn, id) {
  const r = demoRelease(id);
  r.id = `${id}-cdn`;
  r.assets = r.assets.map((a) => ({ ...a, url: `${cdn.origin}/${a.url}` }));
  return r;
}

/** The plan's faults for a manifest of `releases`, and the good configuration. */
const documents = (releases) => [answer("manifest.json", { format: 1, releases }), answer("config.json", CONFIG)];

test("a release on an origin the host page does not allow is never started", async ({ desk }) => {
  const cdn = await desk.otherServer();
  await desk.plan({ init: [WATCH_URLS], faults: documents([foreign(cdn, "2026.11.2"), demoRelease("2026.11.1")]) });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
  expect((await desk.eval(() => window.__urls)).filter((u) => u.startsWith(cdn.origin))).toEqual([]);
  expect(await cdn.requests(), "nothing asked of the other origin").toEqual([]);
  expect((await desk.report("ready")).path[0]).toMatchObject({ release: "2026.11.2-cdn", outcome: "bundle.origin" });
});

test("the host page's allowlist, and only it, lets another origin in", async ({ desk }) => {
  const cdn = await desk.otherServer();
  await desk.plan({ options: { allowedOrigins: [cdn.origin] }, faults: documents([foreign(cdn, "2026.11.2"), demoRelease("2026.11.1")]) });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.2-cdn");
  expect((await cdn.requests()).map((r) => r.url)).toContain("/panel/2026.11.2/panel.js");
});

test("under a strict CSP, a blocked script is reported by its directive and the boot falls back", async ({ desk }) => {
  const cdn = await desk.otherServer();
  await desk.plan({
    options: { allowedOrigins: [cdn.origin] },
    faults: [
      { path: "/desk.html", headers: { "content-security-policy": "script-src 'self' 'wasm-unsafe-eval'" } },
      ...documents([foreign(cdn, "2026.11.2"), demoRelease("2026.11.1")]),
    ],
  });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
  const report = await desk.report("ready");
  const csp = report.problems.find((p) => p.code === "csp.violation");
  expect(csp).toMatchObject({ expected: "script-src-elem" });
  expect(csp.message).toContain(cdn.origin);
});

test("a manifest over the size limit is refused, not parsed", async ({ desk }) => {
  const huge = JSON.stringify({ format: 1, releases: [], description: "x".repeat(1100 * 1024) });
  await desk.plan({ faults: [answer("manifest.json", huge)] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("failed");
  expect(await desk.attr("[role=alert]", "data-desk-error")).toBe("manifest.unreadable");
  expect(JSON.stringify((await desk.report("failed")).problems)).toContain("larger than the limit of 1048576");
});

test("a stored record pointing elsewhere is never run", async ({ desk }) => {
  await desk.plan({
    init: [WATCH_URLS, hook(() => {
      if (sessionStorage.getItem("seeded")) return;
      sessionStorage.setItem("seeded", "1");
      localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, knownGood: {
        release: { id: "evil", assets: [{ type: "script", url: "https://evil.example/x.js", integrity: "sha384-" + "A".repeat(64) }] },
        configFingerprint: "x", at: 1 } }));
    })],
    faults: [answer("manifest.json", "down", { status: 503, contentType: "text/plain" })],
  });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("failed");
  expect((await desk.eval(() => window.__urls)).filter((u) => u.includes("evil"))).toEqual([]);
  // Discarded as docs/record.md says: never named on the screen, gone from storage.
  expect(await desk.eval(() => document.querySelector("[role=alert]").textContent)).not.toContain("evil");
  expect(JSON.stringify((await desk.report("failed")).problems)).toContain("record.discarded");
  await desk.waitFor(() => !(localStorage.getItem("desk-loader:record") || "").includes("evil"), undefined, { message: "the stored record lets go of it" });
});

test("a secret never reaches storage or a native bridge", async ({ desk }) => {
  await desk.plan({
    init: [hook(() => {
      window.__bridge = [];
      window.ReactNativeWebView = { postMessage: (s) => window.__bridge.push(s) };
    })],
    faults: [answer("config.json", { ...CONFIG, values: { ...CONFIG.values, CHAT_TOKEN: "s3cr3t-t0k3n-value" } })],
  });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  const stored = await desk.waitFor(() => localStorage.getItem("desk-loader:record"));
  const bridge = await desk.eval(() => window.__bridge.join("\n"));
  expect(stored).not.toContain("s3cr3t");
  expect(bridge).toContain("desk-loader:report");
  expect(bridge).not.toContain("s3cr3t");
});

test("a report endpoint on an origin the host page does not allow receives nothing", async ({ desk }) => {
  await desk.plan({ init: [WATCH_URLS], options: { reportUrl: "https://collector.evil.example/r" } });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  await desk.eval(() => new Promise((f) => setTimeout(f, 300)));
  expect((await desk.eval(() => window.__urls)).filter((u) => u.includes("evil"))).toEqual([]);
  const logs = (await desk.console()).join("\n");
  expect(logs).toContain("not on this page's origin nor on an origin the host page allows; reports go to the console only");
  expect(await desk.loggedReport("ready")).toBeTruthy();
});

test("a stored record over 64 KB is set aside unread", async ({ desk }) => {
  await desk.plan({
    init: [hook(() => {
      if (sessionStorage.getItem("seeded")) return;
      sessionStorage.setItem("seeded", "1");
      localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, padding: "x".repeat(70 * 1024) }));
    })],
  });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(JSON.stringify((await desk.report("ready")).problems)).toContain("more than 65536");
});
