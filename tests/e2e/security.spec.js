// Trust rules in the browser: code only from allowed origins, CSP violations
// reported by directive, size limits, tampered records, secrets.
const { test, expect, hook } = require("./desk");
const crypto = require("crypto");
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

// Issue 27: URLs that the loader once read as this page's own (or as the
// allowed CDN's) and that a browser reads as another host's. EVIL, PAGE and
// CDN stand for the hosts of a server no one allowed, of the page, and of
// an allowed CDN. The other server's request log is the judge: a browser
// that loaded one of them asked it for something.
const ELSEWHERE = [
  "http://EVIL\\@PAGE/x.js",
  "http://EVIL\\@CDN/x.js",
  "//EVIL\\@PAGE/x.js",
  "\\\\EVIL/x.js",
  "/\\EVIL/x.js",
  "\\/EVIL/x.js",
  "/\t/EVIL/x.js",
  "/\n/EVIL/x.js",
  "\u0001//EVIL/x.js",
  "\u0000//EVIL/x.js",
];

/** Each form of ELSEWHERE, its hosts filled in. */
async function elsewhere(desk) {
  const evil = await desk.otherServer();
  const cdn = await desk.otherServer();
  const host = (origin) => origin.replace(/^http:\/\//, "");
  const urls = ELSEWHERE.map((u) => u.replace("EVIL", host(evil.origin)).replace("PAGE", "127.0.0.1:PORT").replace("CDN", host(cdn.origin)));
  return { evil, cdn, urls };
}

for (const integrity of [true, false]) {
  const title = integrity ? "with integrity" : "without integrity, on a page that allows that for same-origin files";
  test(`a URL a browser reads as another host's is never requested (${title})`, async ({ desk }) => {
    const { evil, cdn, urls } = await elsewhere(desk);
    // The page's port is known once the plan is open: the manifest is set after.
    await desk.plan({ options: { allowedOrigins: [cdn.origin], allowSameOriginWithoutIntegrity: !integrity } });
    const page = urls.map((u) => u.replace("PORT", String(desk.port)));
    const releases = page.map((url, i) => {
      const asset = { type: "script", url, ...(integrity ? { integrity: demoRelease("2026.11.2").assets[1].integrity } : {}) };
      return { id: `elsewhere-${i}`, assets: [asset] };
    });
    await desk.setFaults(documents([...releases, demoRelease("2026.11.1")]));
    await desk.open("/desk.html");
    expect(await desk.settled()).toBe("ready");
    expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
    expect(await evil.requests(), "nothing asked of the host no one allowed").toEqual([]);
    expect(await cdn.requests(), "nothing asked of the allowed CDN either").toEqual([]);
    const report = await desk.report("ready");
    expect(report.path.map((p) => [p.release, p.outcome])).toEqual([
      ...releases.map((r) => [r.id, "bundle.origin"]),
      ["2026.11.1", "ready"],
    ]);
    const named = report.problems.filter((p) => p.code === "bundle.origin").map((p) => p.message).join("\n");
    expect(named).toContain("it holds a backslash, which browsers read as a slash");
    expect(named).toContain("it holds a tab or line break, which browsers remove before reading the URL");
    expect(named).toContain("it holds a control character, which browsers strip or encode");
  });
}

for (const form of ["/\\EVIL/x.js", "http://EVIL\\@PAGE/x.js"]) {
  test(`a stored record whose known-good release is at ${JSON.stringify(form)} is never run`, async ({ desk }) => {
    const evil = await desk.otherServer();
    await desk.plan({ faults: [answer("manifest.json", "down", { status: 503, contentType: "text/plain" })] });
    const url = form.replace("EVIL", evil.origin.replace("http://", "")).replace("PAGE", `127.0.0.1:${desk.port}`);
    const record = { format: 1, knownGood: { release: { id: "evil", assets: [{ type: "script", url, integrity: "sha384-" + "A".repeat(64) }] }, configFingerprint: "x", at: 1 } };
    await desk.setFaults([
      answer("manifest.json", "down", { status: 503, contentType: "text/plain" }),
      answer("seed.html", `<script>localStorage.setItem("desk-loader:record", ${JSON.stringify(JSON.stringify(record))});</script>`, { contentType: "text/html" }),
    ]);
    await desk.open("/seed.html");
    await desk.open("/desk.html");
    expect(await desk.settled()).toBe("failed");
    expect(await evil.requests()).toEqual([]);
    expect(JSON.stringify((await desk.report("failed")).problems)).toContain("record.discarded");
  });
}

// Issue 27, integrity: each form of `integrity` the manifest accepts
// (tests/cases/integrity.json), written for a file's bytes. In every engine
// the file runs when its bytes match, and never runs when they do not.
const digest = (alg, body) => crypto.createHash(alg).update(body).digest("base64");
const url64 = (b64) => b64.replace(/\+/g, "-").replace(/\//g, "_");
const FORMS = [
  ["sha384, base64", (b) => `sha384-${digest("sha384", b)}`],
  ["sha384, base64url", (b) => `sha384-${url64(digest("sha384", b))}`],
  ["sha512, base64url, unpadded", (b) => `sha512-${url64(digest("sha512", b)).replace(/=+$/, "")}`],
  ["sha512, base64, padded", (b) => `sha512-${digest("sha512", b)}`],
  ["sha256, unpadded", (b) => `sha256-${digest("sha256", b).replace(/=+$/, "")}`],
  ["sha256 with ?options", (b) => `sha256-${digest("sha256", b)}?foo=bar?spam=eggs`],
  ["sha256 beside an unknown algorithm", (b) => `sha256-${digest("sha256", b)} foo666-deadbeef`],
  ["a wrong sha256 beside a right sha384", (b) => `sha256-${digest("sha256", "other")} sha384-${digest("sha384", b)}`],
  ["two sha384, the second right", (b) => `sha384-${digest("sha384", "other")} sha384-${digest("sha384", b)}`],
];

/** A script that says it ran. */
const ran = (id) => `window.__ran = (window.__ran || []).concat(${JSON.stringify(id)});\n`;
const REGISTER = `deskLoader.register(function (ctx) { var p = document.createElement("p"); p.className = "panel-release"; p.textContent = "release " + ctx.releaseId; ctx.mount.replaceChildren(p); ctx.ready(); });\n`;
const js = (path, body) => answer(path, body, { contentType: "text/javascript" });

test("every integrity form the manifest accepts lets a file with matching bytes run", async ({ desk }) => {
  const files = FORMS.map(([name], i) => [`/sri/ok-${i}.js`, ran(name)]);
  const assets = files.map(([url, body], i) => ({ type: "script", url, integrity: FORMS[i][1](body) }));
  assets.push({ type: "script", url: "/sri/register.js", integrity: `sha384-${digest("sha384", REGISTER)}` });
  await desk.plan({ faults: [...files.map(([p, b]) => js(p, b)), js("/sri/register.js", REGISTER), ...documents([{ id: "forms", assets }])] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.eval(() => window.__ran)).toEqual(FORMS.map(([name]) => name));
});

test("for every integrity form the manifest accepts, a file whose bytes match no digest never runs", async ({ desk }) => {
  const releases = FORMS.map(([, form], i) => ({
    id: `tampered-${i}`,
    assets: [{ type: "script", url: `/sri/tampered-${i}.js`, integrity: form(ran(`original ${i}`) + REGISTER) }],
  }));
  const served = FORMS.map((_, i) => js(`/sri/tampered-${i}.js`, ran(`tampered ${i}`) + REGISTER));
  await desk.plan({ faults: [...served, ...documents([...releases, demoRelease("2026.11.1")])] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
  expect(await desk.eval(() => window.__ran || [])).toEqual([]);
  expect((await desk.report("ready")).path.map((p) => [p.release, p.outcome])).toEqual([
    ...releases.map((r) => [r.id, "bundle.integrity"]),
    ["2026.11.1", "ready"],
  ]);
});

test("a right sha256 beside a wrong sha512 is refused as browsers refuse it: the strongest algorithm alone counts", async ({ desk }) => {
  const body = ran("strongest") + REGISTER;
  const strong = { id: "strongest", assets: [{ type: "script", url: "/sri/strongest.js", integrity: `sha512-${digest("sha512", "other")} sha256-${digest("sha256", body)}` }] };
  await desk.plan({ faults: [js("/sri/strongest.js", body), ...documents([strong, demoRelease("2026.11.1")])] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.eval(() => window.__ran || [])).toEqual([]);
  // Diagnosed as tampered, not as a passing fault to retry.
  const report = await desk.report("ready");
  expect(report.path.map((p) => [p.release, p.outcome])).toEqual([["strongest", "bundle.integrity"], ["2026.11.1", "ready"]]);
  expect((await desk.paths()).filter((p) => p === "/sri/strongest.js").length).toBeLessThanOrEqual(2);
});

// unavailable.js, which reports when the module itself cannot run, judges
// the report URL with the browser's own parser, and refuses what the loader
// refuses: a URL a browser reads otherwise than it looks goes nowhere.
for (const form of ["/\\EVIL/r", "http://EVIL\\@PAGE/r"]) {
  test(`when the loader cannot run, unavailable.js sends no report to ${JSON.stringify(form)}`, async ({ desk }) => {
    const evil = await desk.otherServer();
    await desk.plan({ faults: [{ path: "/pkg/desk_loader.js", status: 404, body: "" }] });
    const url = form.replace("EVIL", evil.origin.replace("http://", "")).replace("PAGE", `127.0.0.1:${desk.port}`);
    // The options are the page's: served with the report URL written in.
    const page = (await (await fetch(`${desk.origin}/desk.html`)).text()).replace('"reportUrl": "/__report"', `"reportUrl": ${JSON.stringify(url)}`);
    expect(page).toContain(JSON.stringify(url));
    await desk.setFaults([{ path: "/pkg/desk_loader.js", status: 404, body: "" }, answer("desk.html", page, { contentType: "text/html" })]);
    await desk.open("/desk.html");
    expect(await desk.eval(() => window.deskLoader.settled.then((r) => r.code))).toBe("loader.unavailable");
    // The report's fetch, had it been allowed, was issued before settled resolved.
    await desk.eval(() => new Promise((f) => setTimeout(f, 300)));
    expect(await evil.requests()).toEqual([]);
  });
}

// A `<base href>` on another origin moves where the browser sends every
// relative URL: the loader judges relative files where they would go, not
// on the page's origin (crates/core/src/origin.rs, `same_origin`).
test("with a <base href> on another origin, relative release files are judged there and never requested", async ({ desk }) => {
  const elsewhere = await desk.otherServer();
  await desk.plan({});
  const page = desk.origin;
  let html = await (await fetch(`${page}/desk.html`)).text();
  for (const file of ["desk-loader.css", "pkg/desk_loader.js", "pkg/desk_loader_bg.wasm", "manifest.json", "config.json", "unavailable.js", "boot.js", "/__report"]) {
    html = html.replaceAll(`"${file}"`, `"${page}/${file.replace(/^\//, "")}"`);
  }
  html = html.replace("<head>", `<head>\n  <base href="${elsewhere.origin}/">`);
  const absolute = demoRelease("2026.11.1");
  absolute.assets = absolute.assets.map((a) => ({ ...a, url: `${page}/${a.url}` }));
  await desk.setFaults([answer("desk.html", html, { contentType: "text/html" }), ...documents([demoRelease("2026.11.2"), absolute])]);
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
  // WebKit asks the base's origin for /favicon.ico: the page's own doing, not the loader's.
  const asked = (await elsewhere.requests()).map((r) => r.url).filter((u) => u !== "/favicon.ico");
  expect(asked, "no release file asked of the base's origin").toEqual([]);
  const report = await desk.report("ready");
  expect(report.path.map((p) => [p.release, p.outcome])).toEqual([["2026.11.2", "bundle.origin"], ["2026.11.1", "ready"]]);
});

// Why the manifest refuses `SHA384-` (crates/core/src/integrity.rs): the SRI
// specification lower-cases an algorithm's name, but engines match it as
// written, read an upper-case name as an unknown algorithm, and so check
// nothing. Shown here on a plain <script>, without the loader.
test("an engine that ignores an upper-case algorithm name runs a file matching no digest: why the manifest refuses SHA384-", async ({ desk, engine }) => {
  await desk.plan({ faults: [js("/sri/upper.js", ran("upper"))] });
  await desk.open("/desk.html");
  const outcome = await desk.eval((integrity) => new Promise((resolve) => {
    const s = document.createElement("script");
    s.src = "/sri/upper.js";
    s.integrity = integrity;
    s.crossOrigin = "anonymous";
    s.onload = () => resolve((window.__ran || []).includes("upper") ? "ran" : "loaded, did not run");
    s.onerror = () => resolve("refused");
    document.head.append(s);
  }), `SHA384-${digest("sha384", "other bytes")}`);
  const lower = await desk.eval((integrity) => new Promise((resolve) => {
    const s = document.createElement("script");
    s.src = "/sri/upper.js?lower";
    s.integrity = integrity;
    s.onload = () => resolve("ran");
    s.onerror = () => resolve("refused");
    document.head.append(s);
  }), `sha384-${digest("sha384", "other bytes")}`);
  expect(lower, "the same hash in lower case is enforced").toBe("refused");
  // Chromium 156 and Firefox ESR 153 check nothing; WebKitGTK 2.50 enforces it.
  expect(outcome).toBe({ chromium: "ran", firefox: "ran", webkit: "refused" }[engine]);
});
