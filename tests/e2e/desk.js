// The end-to-end suite's one view of a browser, whatever the engine: a
// `desk` fixture that every spec uses instead of Playwright's `page`.
//
// - Chromium and Firefox are driven by Playwright (Debian's binaries, never a
//   download); WebKit by WebDriver classic (WebKitWebDriver starts
//   MiniBrowser, under the Xvfb display `cargo xtask test` starts), because
//   Playwright cannot drive WebKitGTK. `webdriver.js` is the client.
// - What a test does to the network or the page happens on the test server,
//   in a test plan (tests/server/src/plan.rs): faults, options, and hooks run first
//   in each page (console and page errors recorded, the blank-frame sampler).
//   So a scenario means the same in every engine, and each test runs on an
//   origin of its own.
// - What a spec reads, it reads from the page (`eval`) or from the server
//   (`requests`, `reports`), never from one driver's events.
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");
const base = require("@playwright/test");
const { DriverProcess, KEYS } = require("./webdriver");
// Hang detectors from the loader's own timeouts (docs/matrix.md, "Time bounds").
const { defaultBoundMs, reportTimeoutMs } = require("./matrix.json");
const reportBoundMs = 2 * reportTimeoutMs;

const { expect } = base;
const SCREENSHOTS = path.join(__dirname, "../../target/e2e/screenshots");
const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/** How each engine is started: a Playwright launch, or a WebDriver session. */
const ENGINES = {
  chromium: {
    launch: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  firefox: {
    // Playwright 1.65 cannot drive firefox-esr (docs/matrix.md); 1.64.1 can, as this channel.
    launch: { executablePath: "/usr/bin/firefox-esr", channel: "moz-firefox" },
  },
  webkit: {
    // MiniBrowser in automation mode, which WebKitGTK runs on an ephemeral
    // (non-persistent) data store: docs/matrix.md, "WebKit".
    capabilities: {
      "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
      // WebKitWebDriver holds every command, scripts too, until the page load
      // it waits for: a page whose module never arrives would hold them all.
      // WebDriverTab waits for the document itself.
      pageLoadStrategy: "none",
    },
  },
};

// ---------------------------------------------------------------------------
// Hooks run first in every page of a plan. Each is sent as source text: it
// must not close over anything.

/**
 * Records console messages and uncaught page errors in sessionStorage, so a
 * test reads them after a reload too (`desk.console()`, `desk.errors()`).
 */
function recordPage() {
  const KEY = "__deskTestLog";
  let log;
  try { log = JSON.parse(sessionStorage.getItem(KEY)) || { console: [], errors: [] }; } catch { log = { console: [], errors: [] }; }
  const save = () => { try { sessionStorage.setItem(KEY, JSON.stringify(log)); } catch { /* the test reads window.__deskTestLog */ } };
  window.__deskTestLog = log;
  const text = (args) => args.map((a) => {
    if (typeof a === "string") return a;
    try { return JSON.stringify(a); } catch { return String(a); }
  }).join(" ");
  for (const level of ["log", "info", "warn", "error", "debug", "group", "groupCollapsed"]) {
    const original = console[level];
    console[level] = function (...args) {
      log.console.push({ level, text: text(args) });
      save();
      return original.apply(this, args);
    };
  }
  addEventListener("error", (e) => {
    if (!(e instanceof ErrorEvent)) return; // a resource that failed to load, not a page error
    log.errors.push(String(e.message));
    save();
  }, true);
  addEventListener("unhandledrejection", (e) => {
    log.errors.push("unhandled rejection: " + String((e.reason && e.reason.message) || e.reason));
    save();
  });
}

/**
 * Samples the mount point at every animation frame from the first
 * contentful paint on: `window.__blankSamples` lists the frames where it
 * showed nothing (no text, no visible element), `window.__shown` what it
 * showed, each time that changed ("status: " while it holds a
 * `role="status"` element). Before that paint the browser may still be
 * parsing the page (a frame can run before the parser reached the mount
 * point's content): nothing the loader shows or hides. WebKit queues its
 * first-contentful-paint entry late (100 ms or more after the paint it
 * times), so the end of parsing starts the sampling too: every frame after
 * it paints the whole document. A page that never paints content has no
 * sample, which `expectNeverBlank` fails.
 */
function sampleFrames() {
  window.__samples = 0;
  window.__blankSamples = [];
  window.__shown = [];
  const painted = () => document.readyState !== "loading" || performance.getEntriesByName("first-contentful-paint").length > 0;
  const sample = () => {
    const desk = document.getElementById("desk");
    if (!desk || !painted()) return;
    window.__samples++;
    const r = desk.getBoundingClientRect();
    const text = desk.innerText.trim();
    const shown = (desk.querySelector('[role="status"]') ? "status: " : "") + text;
    if (window.__shown[window.__shown.length - 1] !== shown) window.__shown.push(shown);
    const visible = [...desk.querySelectorAll("*")].some((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
    if (r.height === 0 || (!text && !visible)) window.__blankSamples.push(performance.now());
  };
  // requestAnimationFrame runs right before each paint: what it sees is what the agent sees.
  const frame = () => { sample(); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}

/** The browser's languages, as a browser set to `language` would give them. */
function speak(language) {
  Object.defineProperty(Navigator.prototype, "language", { get: () => language, configurable: true });
  Object.defineProperty(Navigator.prototype, "languages", { get: () => [language], configurable: true });
}

/** `fn` applied to `arg`, as source text for a plan's init script. */
function hook(fn, arg) {
  return `try { (${fn})(${arg === undefined ? "" : JSON.stringify(arg)}); } catch (e) { console.error("test hook ${fn.name}: " + e); }\n`;
}

// ---------------------------------------------------------------------------
// Tabs: one page, in Playwright or in a WebDriver session.

class PlaywrightTab {
  constructor(page) { this.page = page; }
  async goto(url) { await this.page.goto(url, { waitUntil: "domcontentloaded" }); }
  async reload() { await this.page.reload({ waitUntil: "domcontentloaded" }); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  screenshot() { return this.page.screenshot({ fullPage: true }); }
  click(css) { return this.page.locator(css).first().click(); }
  press(css, key) { return this.page.locator(css).first().press(key); }
  setViewport(width, height) { return this.page.setViewportSize({ width, height }); }
  async newTab() { return new PlaywrightTab(await this.page.context().newPage()); }
  close() { return this.page.close(); }
}

class WebDriverTab {
  constructor(session, handle) {
    this.session = session;
    this.handle = handle;
  }

  /** Makes this tab the session's current window. */
  async current() {
    if (this.session.currentHandle !== this.handle) {
      await this.session.switchTo(this.handle);
      this.session.currentHandle = this.handle;
    }
    return this.session;
  }

  async goto(url) { await this.navigated(async (s) => s.navigate(url)); }
  async reload() { await this.navigated(async (s) => s.refresh()); }

  /**
   * Runs a navigation, then waits until the new document is parsed
   * (DOMContentLoaded), as Playwright's `waitUntil: "domcontentloaded"`:
   * the old document is marked first, so it is never taken for the new one.
   */
  async navigated(go) {
    const s = await this.current();
    await s.executeAsync("window.__deskTestOld = true; arguments[0]()").catch(() => {});
    await go(s);
    // Hang detectors: a page here parses in well under a second. On a machine
    // whose cores are all busy, MiniBrowser once left a navigation unparsed
    // for over a minute: after 30 s it is asked once more.
    const start = Date.now();
    let again = false;
    for (;;) {
      const r = await s.executeAsync("arguments[0](!window.__deskTestOld && document.readyState !== 'loading')").catch(() => false);
      if (r) return;
      if (!again && Date.now() - start > 30_000) {
        again = true;
        console.error("desk.js: WebKit did not parse the page within 30 s; navigating again");
        await go(s);
      }
      if (Date.now() - start > 90_000) throw new Error("the page did not reach DOMContentLoaded within 90 s, asked twice");
      await new Promise((f) => setTimeout(f, 50));
    }
  }

  async evaluate(fn, arg) {
    const s = await this.current();
    const source = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn})(arguments[0]))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String((e && e.stack) || e) }));`;
    const r = await s.executeAsync(source, [arg === undefined ? null : arg]);
    if (r && r.error !== undefined) throw new Error(`in the page: ${r.error}`);
    return r ? r.ok : r;
  }

  async screenshot() { return (await this.current()).screenshot(); }
  async click(css) { const s = await this.current(); await s.click(await s.find(css)); }
  async press(css, key) { const s = await this.current(); await s.sendKeys(await s.find(css), KEYS[key] || key); }

  async setViewport(width, height) {
    const s = await this.current();
    // The window's outer size: grow it by what the browser's frame takes.
    await s.setWindowRect({ width, height });
    const inner = await this.evaluate(() => [innerWidth, innerHeight]);
    await s.setWindowRect({ width: 2 * width - inner[0], height: 2 * height - inner[1] });
  }

  async newTab() {
    const s = await this.current();
    return new WebDriverTab(s, await s.newWindow());
  }

  async close() {
    const s = await this.current();
    await s.closeWindow();
    s.currentHandle = undefined;
  }
}

// ---------------------------------------------------------------------------

/** One test's desk: its server plan, and the tab (or tabs) that load it. */
class Desk {
  constructor({ engine, server, tab, port, testInfo }) {
    this.engine = engine;
    this.server = server;
    this.tab = tab;
    this.port = port;
    this.testInfo = testInfo;
    /** Page errors the test causes itself (a panel that throws at top level). */
    this.expected = [];
    /** This desk and the tabs opened from it, whose page errors are checked. */
    this.tabs = [this];
  }

  /**
   * Page errors this test causes on purpose, each matching one of
   * `patterns`: every other uncaught error or unhandled rejection in a page
   * fails the test when it ends, the loader's own above all.
   */
  expectPageErrors(...patterns) {
    this.expected.push(...patterns);
  }

  /** Fails if a page raised an error the test did not say it would cause. */
  async checkPageErrors() {
    for (const tab of this.tabs) {
      const errors = await tab.errors().catch(() => []);
      const unexpected = errors.filter((e) => !this.expected.some((p) => p.test(e)));
      expect(unexpected, "uncaught page errors the test did not cause").toEqual([]);
    }
  }

  /**
   * Opens the test's plan on the server: `faults` (plan.rs's rules),
   * `options` merged into the page's options, `init` (hook() texts) run
   * first in each page, `watch` for the blank-frame sampler, `language`
   * for the browser's languages. A test that needs none of it gets the
   * default plan at its first `open`.
   */
  async plan({ faults = [], options = {}, init = [], watch = false, language } = {}) {
    if (this.port) throw new Error("the plan is already open: use setFaults to change the faults");
    const script = [hook(recordPage), watch ? hook(sampleFrames) : "", language ? hook(speak, language) : "", ...init].join("");
    const res = await fetch(`${this.server}/__plans`, { method: "POST", body: JSON.stringify({ faults, options, init: script }) });
    if (!res.ok) throw new Error(`the test server refused the plan: ${await res.text()}`);
    this.port = (await res.json()).port;
  }

  /** The page's origin: `http://127.0.0.1:<the plan's port>`. */
  get origin() { return `http://127.0.0.1:${this.port}`; }

  /**
   * Another server, such as a CDN: a plan of its own (it serves www/ too),
   * on another origin (`http://localhost:<its port>`), ended with the test.
   * Its `requests()` show what the page asked of it.
   */
  async otherServer(spec = {}) {
    const other = new Desk({ engine: this.engine, server: this.server, tab: null, testInfo: this.testInfo });
    await other.plan(spec);
    (this.others = this.others || []).push(other);
    return { origin: `http://localhost:${other.port}`, requests: () => other.requests(), desk: other };
  }

  async planApi(method, what, body) {
    const res = await fetch(`${this.origin}/__plan/${what}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} /__plan/${what}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  }

  /** Replaces the plan's faults: what the server does from now on. */
  setFaults(faults) { return this.planApi("PUT", "faults", faults); }
  /** Every request the server got for this test, in order: `{ method, url, ms }`. */
  requests() { return this.planApi("GET", "requests"); }
  /** The paths of those requests. */
  async paths() { return (await this.requests()).map((r) => r.url.split("?")[0]); }

  /** The reports the server received, parsed (a body that is not JSON is kept as `{ raw }`). */
  async reports() {
    return (await this.planApi("GET", "reports")).map((body) => { try { return JSON.parse(body); } catch { return { raw: body }; } });
  }

  /** The reports, once `count` have arrived. */
  async reportsNumbering(count, timeout = reportBoundMs) {
    let all;
    await expect.poll(async () => (all = await this.reports()).length,
      { message: `${count} reports reached the server`, timeout }).toBe(count);
    return all;
  }

  /** The last report received with this outcome, once one has arrived. */
  async report(outcome, timeout = reportBoundMs) {
    let found;
    await expect.poll(async () => (found = (await this.reports()).findLast((r) => r.outcome === outcome)),
      { message: `a "${outcome}" report reached the server`, timeout }).toBeTruthy();
    return found;
  }

  /** Navigates to `path` on the plan's origin (or to an absolute URL) and waits for the document (DOMContentLoaded). */
  async open(urlPath) {
    if (!this.port) await this.plan();
    await this.tab.goto(/^[a-z]+:/.test(urlPath) ? urlPath : this.origin + urlPath);
  }

  /** Starts a navigation without waiting for it. */
  async go(urlPath) {
    if (!this.port) await this.plan();
    await this.tab.evaluate((url) => { setTimeout(() => { location.href = url; }, 0); }, this.origin + urlPath);
  }

  reload() { return this.tab.reload(); }

  /** Runs `fn(arg)` in the page and returns its (JSON) result. */
  eval(fn, arg) { return this.tab.evaluate(fn, arg); }

  /** Polls `fn(arg)` in the page until it returns something truthy; returns it. */
  async waitFor(fn, arg, { timeout = defaultBoundMs, message } = {}) {
    const until = Date.now() + timeout;
    let error;
    for (let pause = 50; ; pause = Math.min(pause * 2, 250)) {
      // A navigation in between fails one call: the next one runs in the new document.
      try {
        const value = await this.eval(fn, arg);
        if (value) return value;
        error = undefined;
      } catch (e) {
        error = e;
      }
      if (Date.now() > until) break;
      await new Promise((f) => setTimeout(f, pause));
    }
    throw new Error(`${message || `waited for ${fn}`}: not within ${timeout} ms${error ? ` (last error: ${error.message})` : ""}`);
  }

  /** Waits for the boot to end; returns "ready" or "failed". */
  settled(timeout = defaultBoundMs) {
    return this.waitFor(() => {
      const s = document.getElementById("desk") && document.getElementById("desk").getAttribute("data-desk-state");
      return s === "ready" || s === "failed" ? s : null;
    }, undefined, { timeout, message: "the boot ended (data-desk-state ready or failed)" });
  }

  /** An attribute of the first element matching `css`, or null. */
  attr(css, name) { return this.eval(([css, name]) => { const e = document.querySelector(css); return e && e.getAttribute(name); }, [css, name]); }
  /** The rendered text of the first element matching `css`, or null. */
  text(css) { return this.eval((css) => { const e = document.querySelector(css); return e && e.innerText.trim(); }, css); }
  /** How many elements match `css`. */
  count(css) { return this.eval((css) => document.querySelectorAll(css).length, css); }
  /** Whether the first element matching `css` is rendered, with a box (as Playwright's `toBeVisible`). */
  visible(css) {
    return this.eval((css) => {
      const e = document.querySelector(css);
      if (!e) return false;
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && e.checkVisibility({ visibilityProperty: true });
    }, css);
  }
  /** Whether the first element matching `css` has the focus. */
  focused(css) { return this.eval((css) => document.activeElement === document.querySelector(css), css); }

  click(css) { return this.tab.click(css); }
  /** Focuses the first element matching `css` and presses `key` there, as a keyboard would. */
  press(css, key) { return this.tab.press(css, key); }
  viewport(width, height) { return this.tab.setViewport(width, height); }

  /** What the page logged: one text per console call, this tab's, across reloads. */
  async console() { return ((await this.log()).console || []).map((m) => m.text); }
  /** Uncaught errors and unhandled rejections in this tab's pages. */
  async errors() { return (await this.log()).errors || []; }
  log() { return this.eval(() => window.__deskTestLog || JSON.parse(sessionStorage.getItem("__deskTestLog") || "{}")); }

  /** The last report logged to the console with this outcome, parsed. */
  async loggedReport(outcome) {
    const line = (await this.console()).findLast((l) => l.startsWith(`{"format":1,"outcome":"${outcome}"`));
    return line && JSON.parse(line);
  }

  /** Saves a screenshot to target/e2e/screenshots/<engine>/<name>.png. */
  async screenshot(name) {
    const dir = path.join(SCREENSHOTS, this.engine);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.png`), await this.tab.screenshot());
  }

  /** A second tab in the same browser (same storage), on the same plan. */
  async newTab() {
    const tab = new Desk({ engine: this.engine, server: this.server, tab: await this.tab.newTab(), port: this.port, testInfo: this.testInfo });
    this.tabs.push(tab);
    return tab;
  }

  async end() {
    for (const other of this.others || []) await other.end();
    if (this.port) await fetch(`${this.origin}/__plan`, { method: "DELETE" }).catch(() => {});
  }
}

/**
 * A new WebDriver session. WebKitWebDriver, on a busy machine, now and then
 * never answers a new session after the last one ended (seen once in three
 * full runs): the browser itself never ran. It is then restarted, once, and
 * the output says so; a second failure fails the test with the driver's own
 * words. The test itself is never retried.
 */
async function webKitSession(holder, capabilities) {
  const open = (timeoutMs) => {
    const steps = (async () => {
      const session = await holder.driver.session(capabilities, timeoutMs);
      await session.timeouts({ script: 120_000, pageLoad: 60_000 });
      await session.setWindowRect({ width: 1280, height: 800 });
      session.currentHandle = await session.windowHandle();
      return session;
    })();
    const late = new Promise((_, fail) => setTimeout(() => fail(new Error(`no session ready within ${timeoutMs / 1000} s`)), timeoutMs).unref());
    return Promise.race([steps, late]);
  };
  try {
    return await open(30_000);
  } catch (e) {
    console.warn(`desk.js: WebKitWebDriver opened no session (${e.message.slice(0, 300)}); restarting it`);
    holder.driver.stop();
    holder.driver = await DriverProcess.start("WebKitWebDriver");
    return open(60_000);
  }
}

const test = base.test.extend({
  /** The engine of the project: chromium, firefox or webkit. */
  engine: ["chromium", { option: true, scope: "worker" }],

  /** One browser per worker (Playwright), or one WebKitWebDriver process. */
  engineBrowser: [async ({ engine, playwright }, use) => {
    const e = ENGINES[engine];
    if (e.capabilities) {
      const holder = { driver: await DriverProcess.start("WebKitWebDriver") };
      await use(holder);
      holder.driver.stop();
    } else {
      const browser = await playwright[engine].launch(e.launch);
      await use({ browser });
      await browser.close();
    }
  }, { scope: "worker" }],

  desk: async ({ engine, engineBrowser }, use, testInfo) => {
    const server = process.env.BASE_URL || "http://127.0.0.1:8080";
    let tab;
    let close;
    if (engineBrowser.driver) {
      const session = await webKitSession(engineBrowser, ENGINES[engine].capabilities);
      tab = new WebDriverTab(session, session.currentHandle);
      close = () => session.end();
    } else {
      const context = await engineBrowser.browser.newContext({ viewport: { width: 1280, height: 720 } });
      tab = new PlaywrightTab(await context.newPage());
      close = () => context.close();
    }
    const desk = new Desk({ engine, server, tab, testInfo });
    await use(desk);
    try {
      // The loader raises no page error of its own, in any test (a desk that
      // never opened a page has none to check).
      if (testInfo.status === testInfo.expectedStatus && desk.port) await desk.checkPageErrors();
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        const shot = await tab.screenshot().catch(() => null);
        if (shot) await testInfo.attach("screenshot", { body: shot, contentType: "image/png" });
        const log = await desk.log().catch(() => null);
        if (log) await testInfo.attach("page log", { body: JSON.stringify(log, null, 2), contentType: "application/json" });
      }
      await desk.end();
      await close().catch(() => {});
    }
  },
});

/** Asserts the page was sampled and never blank (needs `plan({ watch: true })`). */
async function expectNeverBlank(desk) {
  // A boot can settle before the first sampled frame (a 404 configuration
  // settles within a frame or two): the settled screen is what the agent
  // keeps looking at, so a few frames of it are sampled too. The wait is a
  // hang detector: frames come every 16 ms, and a hidden page has none.
  await desk.waitFor(() => window.__samples >= 3, undefined, { timeout: 10_000, message: "the page painted no frame after settling" });
  const blank = await desk.eval(() => window.__blankSamples);
  expect(blank).toEqual([]);
}

/**
 * What the mount point showed, frame by frame from the first contentful
 * paint (needs `plan({ watch: true })`). Unlike polling the page after
 * `open`, this sees a state however briefly it was painted.
 */
function framesShown(desk) {
  // The sampler runs at each frame: let one more frame come, so that what
  // the page holds now has been sampled too.
  return desk.eval(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(window.__shown)))));
}

/**
 * Runs MiniBrowser on its own, not through WebDriver, whose sessions always
 * run on an ephemeral data store (what iOS calls a non-persistent
 * `WKWebsiteDataStore`): in a persistent profile of its own (a fresh
 * folder), or `privately` (`--private`, ephemeral too). No driver, so the
 * page drives itself with the plan's hooks, and the test reads what happened
 * from the server (`desk.requests()`, `desk.reports()`). Ends once `until()`
 * holds, or fails at `timeout`.
 */
async function miniBrowser(desk, urlPath, { privately = false, until, timeout = defaultBoundMs }) {
  if (!desk.port) await desk.plan();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "desk-minibrowser-"));
  const env = { ...process.env, HOME: profile, XDG_DATA_HOME: `${profile}/data`, XDG_CACHE_HOME: `${profile}/cache`, XDG_CONFIG_HOME: `${profile}/config` };
  const args = [...(privately ? ["--private"] : []), desk.origin + urlPath];
  const child = spawn(MINIBROWSER, args, { env, detached: true, stdio: "ignore" });
  try {
    await expect.poll(until, { message: `MiniBrowser ${args.join(" ")}: the page got where the test waits`, timeout, intervals: [100, 250] }).toBe(true);
  } finally {
    try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * A hook for pages no driver drives: when the boot ends, it requests
 * `/__mark/end-<visit>?state=…&code=…&release=…&raced=…` (what the agent
 * sees, in the server's log; `raced`: the paths the page fetched before
 * their `<link rel="preload">` had arrived, by the page's Resource Timing);
 * after the first visit's ready, `then` says what comes next:
 * "offline" (once the record says the release's files are cached, the
 * manifest and the panel's files fail to load from now on, and the page
 * reloads), `{ offline: [paths] }` (the same with these paths failing, once
 * a service worker also controls the page; each visit then reports a second
 * after its end, with the panel's `window.__panelLog` as `log` and the
 * length of the mount point's rendered text as `shown`) or
 * "revisit" (the page is opened again, a new navigation).
 */
function autopilot(then) {
  const visit = Number(sessionStorage.getItem("__deskTestVisit") || 0);
  document.addEventListener("desk-loader:state", async (e) => {
    const state = e.detail.state;
    if (state !== "ready" && state !== "failed") return;
    // A preloaded file the page asked for itself before the preload had
    // arrived: before the preload's responseEnd, or while the preload has no
    // entry when the boot ends (still downloading, or never entered: WebKit,
    // with every core busy, left out a preload the page's request overtook).
    const resources = performance.getEntriesByType("resource");
    const pathOf = (url) => new URL(url).pathname;
    const raced = [...document.querySelectorAll('link[rel="preload"]')].map((l) => pathOf(l.href)).filter((file) => {
      const preload = resources.find((r) => r.initiatorType === "link" && pathOf(r.name) === file);
      const own = resources.filter((r) => r.initiatorType !== "link" && pathOf(r.name) === file);
      return own.some((r) => !preload || r.startTime < preload.responseEnd);
    });
    const paths = then && then.offline;
    if (paths) await new Promise((f) => setTimeout(f, 1000));
    const seen = new URLSearchParams({ state, code: e.detail.code || "", release: e.detail.release || "", raced: raced.join(","), log: (window.__panelLog || []).join(","), shown: (document.getElementById("desk")?.innerText || "").trim().length });
    await fetch(`/__mark/end-${visit}?${seen}`);
    if (visit > 0 || !then || state !== "ready") return;
    sessionStorage.setItem("__deskTestVisit", "1");
    if (then === "offline" || paths) {
      const ready = () => (localStorage.getItem("desk-loader:record") || "").includes('"cached":true') && (!paths || navigator.serviceWorker.controller);
      for (let i = 0; i < 400 && !ready(); i++) {
        await new Promise((f) => setTimeout(f, 50));
      }
      const failing = paths || ["/manifest.json", "/panel/*"];
      await fetch("/__plan/faults", { method: "PUT", body: JSON.stringify(failing.map((path) => ({ path, abort: true }))) });
      location.reload();
    } else {
      location.href = `${location.pathname}?visit=2`;
    }
  });
}

/** What `autopilot` saw at the end of visit `n`: `{ state, code, release, raced }`, or undefined yet. */
async function visitEnd(desk, n) {
  const mark = (await desk.requests()).find((r) => r.url.startsWith(`/__mark/end-${n}?`));
  return mark && Object.fromEntries(new URLSearchParams(mark.url.split("?")[1]));
}

module.exports = { test, expect, hook, expectNeverBlank, framesShown, miniBrowser, autopilot, visitEnd };
