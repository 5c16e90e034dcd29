// Never a blank screen: the loading state, the error screen (words,
// languages, Retry, accessibility), what a host page can observe, the
// reports, and the native bridges.
const { test, expect, hook, expectNeverBlank, framesShown } = require("./desk");
const { release, demoRelease, answer } = require("./helpers");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };
const BROKEN = [release("2026.12.0", "panel/broken/throws.js")];
const documents = (releases, config = CONFIG) => [answer("manifest.json", { format: 1, releases }), answer("config.json", config)];

/** Boots desk.html with these faults (and other plan fields); returns the final state. */
async function boot(desk, plan = {}) {
  await desk.plan(plan);
  await desk.open("/desk.html");
  return desk.settled();
}

test("the loading state shows from the first paint, and the page is never blank", async ({ desk }) => {
  expect(await boot(desk, { watch: true, faults: [{ path: "/manifest.json", delayMs: 400 }] })).toBe("ready");
  const shown = await framesShown(desk);
  expect(shown[0]).toBe("status: Loading the desk…");
  expect(shown.at(-1)).not.toContain("Loading the desk");
  await expectNeverBlank(desk);
});

test("the loading state, as the agent sees it while the documents are on their way", async ({ desk }) => {
  await desk.plan({ faults: [{ path: "/manifest.json", delayMs: 3000 }] });
  await desk.open("/desk.html");
  await desk.waitFor(() => document.querySelector("#desk [role=status]") && document.getElementById("desk").getAttribute("data-desk-state") !== "ready");
  expect(await desk.text("#desk [role=status]")).toBe("Loading the desk…");
  await desk.screenshot("loading");
  expect(await desk.settled()).toBe("ready");
});

test("the blank watcher itself sees a mount point emptied after the first paint", async ({ desk }) => {
  // The guard the tests above rely on must be able to fail.
  expect(await boot(desk, { watch: true })).toBe("ready");
  await desk.eval(() => new Promise((done) => {
    const desk = document.getElementById("desk");
    const panel = [...desk.childNodes];
    desk.replaceChildren();
    requestAnimationFrame(() => requestAnimationFrame(() => { desk.replaceChildren(...panel); done(); }));
  }));
  expect((await desk.eval(() => window.__blankSamples)).length).toBeGreaterThan(0);
});

test("a panel that clears the mount point before rendering leaves the loading state showing, never a blank", async ({ desk }) => {
  expect(await boot(desk, { watch: true, faults: documents([release("2026.12.0", "panel/broken/clears-then-renders.js")]) })).toBe("ready");
  expect(await desk.text(".panel")).toBe("rendered late");
  // The panel emptied the mount point; the core had the loading state put
  // back, and it stayed until the panel rendered.
  expect(await framesShown(desk)).toEqual(["status: Loading the desk…", "rendered late"]);
  await expectNeverBlank(desk);
});

test("the error screen is in French when the configuration says so", async ({ desk }) => {
  expect(await boot(desk, { faults: documents(BROKEN, { ...CONFIG, locale: "fr" }) })).toBe("failed");
  expect(await desk.attr("[role=alert]", "lang")).toBe("fr");
  expect(await desk.text("[role=alert] h1")).toBe("Le desk n’a pas pu démarrer");
  expect(await desk.text("[role=alert] button")).toBe("Réessayer");
  await desk.screenshot("error-fr");
});

test("in a French browser, the error screen follows navigator.language", async ({ desk }) => {
  expect(await boot(desk, { language: "fr-FR", faults: documents(BROKEN) })).toBe("failed");
  expect(await desk.attr("[role=alert]", "lang")).toBe("fr");
});

test("the error screen says what happened and what to do, with details for support", async ({ desk }) => {
  expect(await boot(desk, { faults: documents([demoRelease("2026.11.2", { config: { variables: {
    API_URL: { type: "url", required: true }, CHAT_TOKEN: { type: "string", required: true } } } })], { values: {} }) })).toBe("failed");
  expect(await desk.focused("[role=alert]")).toBe(true);
  const text = await desk.text("[role=alert]");
  expect(text).toContain("Your conversations are safe");
  expect(text).toContain("quote the code below");
  expect(await desk.text("[role=alert] .desk-loader-code strong")).toMatch(/^config\.missing-[0-9A-Z]{6}$/);
  // Details are collapsed, then opened from the keyboard.
  const variables = () => desk.visible("[role=alert] dd:nth-of-type(4)");
  expect(await variables()).toBe(false);
  await desk.press("[role=alert] summary", "Enter");
  expect(await variables()).toBe(true);
  expect(await desk.text("[role=alert] dd:nth-of-type(4)")).toBe("API_URL, CHAT_TOKEN");
  const labels = await desk.eval(() => [...document.querySelectorAll("[role=alert] dt")].filter((d) => d.checkVisibility()).map((d) => d.textContent));
  for (const label of ["Error code", "Release", "Phase", "Variables at fault", "Time"]) expect(labels).toContain(label);
  expect(await desk.eval(() => document.querySelectorAll("[role=alert] dd")[2].textContent)).toBe("configuration");
  await desk.screenshot("error-en");
});

test("Retry re-runs the boot in the same page, from the keyboard", async ({ desk }) => {
  expect(await boot(desk, { faults: [answer("config.json", { values: {} })] })).toBe("failed");
  await desk.eval(() => { window.__sameDocument = true; });
  // The configuration is fixed on the server; the agent presses Retry.
  await desk.setFaults([]);
  expect(await desk.text("[role=alert] button")).toBe("Try again");
  await desk.press("[role=alert] button", "Enter");
  await desk.waitFor(() => document.getElementById("desk").getAttribute("data-desk-state") === "ready");
  expect(await desk.visible(".panel")).toBe(true);
  expect(await desk.eval(() => window.__sameDocument)).toBe(true);
});

test("on a 320 px screen (as at 200% zoom on 640 px), the error screen fits, with no horizontal scrolling", async ({ desk }) => {
  // The desk in a frame 320 CSS pixels wide: a viewport of that width in
  // every engine (MiniBrowser's window cannot be made that narrow).
  const frame = '<!doctype html><body style="margin:0"><iframe src="/desk.html" style="border:0;width:320px;height:640px"></iframe>';
  await desk.plan({ faults: [answer("narrow.html", frame, { contentType: "text/html" }), ...documents(BROKEN)] });
  await desk.open("/narrow.html");
  /** Runs `fn(w)` with the frame's window. */
  const inFrame = (fn) => desk.eval((src) => new Function("w", `return (${src})(w)`)(document.querySelector("iframe").contentWindow), fn.toString());
  await desk.waitFor(() => Boolean(document.querySelector("iframe").contentDocument?.querySelector("[role=alert]")));
  expect(await inFrame((w) => w.innerWidth)).toBe(320);
  await inFrame((w) => w.document.querySelector("[role=alert] summary").click());
  expect(await inFrame((w) => w.document.documentElement.scrollWidth - w.document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  expect(await inFrame((w) => {
    const b = w.document.querySelector("[role=alert] button").getBoundingClientRect();
    return b.left >= 0 && b.right <= w.innerWidth && b.top < w.innerHeight && b.bottom > 0;
  })).toBe(true);
  await desk.screenshot("error-320");
});

test("the error screen's text has sufficient contrast, even when the panel's CSS failed", async ({ desk }) => {
  expect(await boot(desk, { faults: [{ path: "/panel/*/panel.css", status: 404, body: "" }, ...documents([demoRelease("2026.11.2")])] })).toBe("failed");
  const ratios = await desk.eval(() => {
    const lum = (c) => {
      const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => v / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const screen = document.querySelector(".desk-loader-error");
    const bg = lum(getComputedStyle(screen).backgroundColor);
    return [...screen.querySelectorAll("h1, p, summary")].map((e) => {
      const fg = lum(getComputedStyle(e).color);
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    });
  });
  expect(ratios.length).toBeGreaterThan(3);
  for (const r of ratios) expect(r).toBeGreaterThanOrEqual(4.5);
});

test("a host page can follow the boot: attributes, events, User Timing", async ({ desk }) => {
  expect(await boot(desk, {
    init: [hook(() => {
      window.__events = [];
      document.addEventListener("desk-loader:state", (e) => window.__events.push(e.detail));
    })],
    faults: documents([...BROKEN, demoRelease("2026.11.1")]),
  })).toBe("ready");
  const events = await desk.eval(() => window.__events);
  expect(events.map((e) => [e.state, e.release, e.attempt])).toEqual([
    ["loading", null, null], ["booting", "2026.12.0", 1], ["booting", "2026.11.1", 2], ["ready", "2026.11.1", 2]]);
  expect(await desk.attr("#desk", "data-desk-release")).toBe("2026.11.1");
  expect(await desk.attr("#desk", "aria-busy")).toBe("false");
  const timing = await desk.eval(() => ({
    marks: performance.getEntriesByType("mark").map((m) => m.name).filter((n) => n.startsWith("desk-loader:")),
    measures: performance.getEntriesByType("measure").map((m) => m.name),
  }));
  // boot.js marks its own two steps before the module's state marks.
  expect(timing.marks).toEqual(["desk-loader:script", "desk-loader:module", "desk-loader:loading", "desk-loader:booting", "desk-loader:booting", "desk-loader:ready"]);
  // The bundle and ready measures start together: engines list them in either order.
  expect(timing.measures.sort()).toEqual(["desk-loader:bundle", "desk-loader:config", "desk-loader:manifest", "desk-loader:ready"]);
});

test("the report reaches the server at once, matches the support code, and is redacted", async ({ desk, engine }) => {
  expect(await boot(desk, { faults: documents(BROKEN) })).toBe("failed");
  const code = await desk.text(".desk-loader-code strong");
  const report = await desk.report("failed");
  // The class of the browser: headless Chromium says so in its user agent; the others read as a desktop.
  const userAgent = { chromium: "headless", firefox: "desktop", webkit: "desktop" }[engine];
  expect(report).toMatchObject({ format: 1, outcome: "failed", code: "panel.threw", release: "2026.12.0", backendSchema: 43, userAgent, supportCode: code });
  expect(report.timings.totalMs).toBeGreaterThan(0);
  expect(JSON.stringify(report)).not.toContain("t0k3n");
});

test("a report stays under 8 KB, however many problems", async ({ desk }) => {
  const variables = {};
  for (let i = 0; i < 300; i++) variables[`VARIABLE_NUMBER_${i}`] = { type: "url", required: true };
  expect(await boot(desk, { faults: documents([demoRelease("2026.11.2", { config: { variables } })], { values: {} }) })).toBe("failed");
  const line = (await desk.console()).find((l) => l.startsWith('{"format":1,"outcome":"failed"'));
  expect(Buffer.byteLength(line)).toBeLessThanOrEqual(8192);
  const report = JSON.parse(line);
  expect(report.problemsDropped).toBeGreaterThan(200);
  expect(report.problems.length + report.problemsDropped).toBe(300);
});

test("the report goes by a fetch that ends with the page: never a beacon, never keepalive", async ({ desk }) => {
  // Both outlive the page, and held the browser's connections to a report
  // endpoint that hung (docs/report.md, "Delivery"; report.spec.js).
  expect(await boot(desk, {
    init: [hook(() => {
      window.__sends = [];
      navigator.sendBeacon = (url) => { window.__sends.push(["beacon", String(url)]); return true; };
      const fetch = window.fetch.bind(window);
      window.fetch = (input, init) => {
        const url = String(input && input.url ? input.url : input);
        const keepalive = Boolean((init && init.keepalive) || (input && input.keepalive));
        if (url.endsWith("/__report")) window.__sends.push(["fetch", url, keepalive]);
        return fetch(input, init);
      };
    })],
  })).toBe("ready");
  expect(await desk.report("ready")).toMatchObject({ outcome: "ready", release: "2026.11.2" });
  expect(await desk.eval(() => window.__sends)).toEqual([["fetch", expect.stringMatching(/\/__report$/), false]]);
});

test("native bridges of Android, iOS and React Native hear each state and the report", async ({ desk }) => {
  expect(await boot(desk, {
    init: [hook(() => {
      window.__bridge = { android: [], ios: [], rn: [] };
      window.DeskLoaderBridge = { postMessage: (s) => window.__bridge.android.push(JSON.parse(s)) };
      window.webkit = { messageHandlers: { deskLoader: { postMessage: (o) => window.__bridge.ios.push(o) } } };
      window.ReactNativeWebView = { postMessage: (s) => window.__bridge.rn.push(JSON.parse(s)) };
    })],
    faults: documents(BROKEN),
  })).toBe("failed");
  const bridge = await desk.eval(() => window.__bridge);
  for (const messages of [bridge.android, bridge.ios, bridge.rn]) {
    expect(messages.map((m) => m.type === "desk-loader:state" ? m.state : m.type)).toEqual(
      ["loading", "booting", "failed", "desk-loader:report"]);
    expect(messages[2]).toMatchObject({ state: "failed", code: "panel.threw", release: "2026.12.0" });
    expect(messages[3].report).toMatchObject({ outcome: "failed", code: "panel.threw" });
  }
});

test("a bridge that throws does not stop the boot", async ({ desk }) => {
  expect(await boot(desk, { init: [hook(() => { window.ReactNativeWebView = { postMessage: () => { throw new Error("bridge down"); } }; })] })).toBe("ready");
});

test("the panel takes over from the loading state without a layout shift", async ({ desk, engine }) => {
  test.skip(engine !== "chromium", "the Layout Instability API (layout-shift entries) is Chromium's only");
  expect(await boot(desk, {
    init: [hook(() => {
      window.__shift = 0;
      new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
        .observe({ type: "layout-shift", buffered: true });
    })],
    faults: [{ path: "/manifest.json", delayMs: 300 }],
  })).toBe("ready");
  await desk.eval(() => new Promise((f) => setTimeout(f, 300)));
  expect(await desk.eval(() => window.__shift)).toBeLessThan(0.01);
});

// When the loader itself cannot run, unavailable.js (a classic script) shows
// the error screen and reports it at once, and keeps every promise of
// docs/embed.md, "Following the boot": the mount point's attributes, the
// desk-loader:state event, the bridges, a support code of the loader's form.
const FOLLOW = hook(() => {
  window.__events = [];
  window.__bridge = [];
  document.addEventListener("desk-loader:state", (e) => window.__events.push(e.detail));
  window.ReactNativeWebView = { postMessage: (s) => window.__bridge.push(JSON.parse(s)) };
});

async function expectLoaderScreen(desk, code) {
  await desk.waitFor((code) => Boolean(document.querySelector(`[role=alert][data-desk-error="${code}"]`)), code);
  expect(await desk.text("[role=alert] h1")).toBe("The desk could not start");
  expect(await desk.focused("[role=alert]")).toBe(true);
  expect(await desk.attr("#desk", "data-desk-state")).toBe("failed");
  expect(await desk.attr("#desk", "data-desk-error")).toBe(code);
  const support = await desk.text("[role=alert] .desk-loader-code strong");
  expect(support).toMatch(new RegExp(`^${code.replace(".", "\\.")}-[0-9A-Z]{6}$`));
  expect(await desk.eval(() => window.__events.at(-1))).toEqual({ state: "failed", release: null, attempt: null, code });
  const body = await desk.report("failed");
  expect(body).toMatchObject({ format: 1, outcome: "failed", code, supportCode: support, problems: [{ code, severity: "error" }] });
  expect((await desk.eval(() => window.__bridge)).map((m) => m.type)).toEqual(["desk-loader:state", "desk-loader:report"]);
  return body;
}

test("a WebAssembly module that cannot load shows loader.unavailable and reports it", async ({ desk }) => {
  await desk.plan({ watch: true, init: [FOLLOW], faults: [{ path: "/pkg/desk_loader_bg.wasm", status: 404, body: "" }] });
  await desk.open("/desk.html");
  await expectLoaderScreen(desk, "loader.unavailable");
  await expectNeverBlank(desk);
});

// The fast embed, desk-loader embed's output, must reach the same screen.
for (const url of ["/desk.html", "/desk-fast.html"]) {
  test(`module glue that cannot load shows loader.unavailable and reports it (${url})`, async ({ desk }) => {
    await desk.plan({ init: [FOLLOW], faults: [{ path: "/pkg/desk_loader.js", status: 404, body: "" }] });
    await desk.open(url);
    const body = await expectLoaderScreen(desk, "loader.unavailable");
    expect(body.problems[0].message).toContain("desk_loader.js");
  });
}

test("a browser without ES modules gets loader.unsupported, not an endless loading state", async ({ desk }) => {
  // Such a browser skips boot.js and runs <script nomodule src="unavailable.js">.
  // Modern engines run modules and never fetch a nomodule script, so the test
  // plays that browser: no `noModule`, no boot.js, and the script added as a
  // classic script.
  await desk.plan({ init: [FOLLOW, hook(() => { delete HTMLScriptElement.prototype.noModule; })], faults: [{ path: "/boot.js", abort: true }] });
  await desk.open("/desk.html");
  expect(await desk.count('script[nomodule][src="unavailable.js"]')).toBe(1);
  await desk.eval(() => { const s = document.createElement("script"); s.src = "/unavailable.js"; document.head.append(s); });
  await expectLoaderScreen(desk, "loader.unsupported");
  expect(await desk.text("[role=alert]")).toContain("too old for the desk");
});

// An older browser or web view (README, "Supported browsers"): boot.js
// checks what the loader needs before loading it, and names what is missing.
const TOO_OLD = [
  ["without WebAssembly", () => { delete window.WebAssembly; }, "WebAssembly with reference types"],
  ["whose WebAssembly lacks a feature the module is built with", () => { WebAssembly.validate = () => false; }, "WebAssembly with reference types"],
  ["without AbortController", () => { delete window.AbortController; }, "AbortController"],
];
for (const [what, remove, lacks] of TOO_OLD) {
  test(`a browser ${what} gets loader.unsupported, naming what it lacks, and never starts the module`, async ({ desk }) => {
    await desk.plan({ watch: true, init: [FOLLOW, hook(remove)] });
    await desk.open("/desk.html");
    const body = await expectLoaderScreen(desk, "loader.unsupported");
    expect(body.problems[0].message).toBe(`this browser lacks ${lacks}`);
    expect(await desk.text("[role=alert]")).toContain("too old for the desk");
    expect(await desk.eval(() => performance.getEntriesByName("desk-loader:module").length)).toBe(0);
    await expectNeverBlank(desk);
  });
}

test("a healthy boot never fetches unavailable.js", async ({ desk }) => {
  expect(await boot(desk)).toBe("ready");
  expect(await desk.paths()).not.toContain("/unavailable.js");
});
