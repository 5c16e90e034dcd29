// Never a blank screen: the loading state, the error screen (words,
// languages, Retry, accessibility), what a host page can observe, the
// reports, and the native bridges.
const { test, expect } = require("@playwright/test");
const { settled, serve, consoleText, release, demoRelease, reportFrom, watchForBlank, expectNeverBlank, framesShown } = require("./helpers");

const CONFIG = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n" }, backendSchema: 43 };
const BROKEN = [release("2026.12.0", "panel/broken/throws.js")];

test("the loading state shows from the first paint, and the page is never blank", async ({ page }) => {
  await watchForBlank(page);
  await page.route("**/manifest.json", async (r) => { await new Promise((f) => setTimeout(f, 400)); await r.fallback(); });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  const shown = await framesShown(page);
  expect(shown[0]).toBe("status: Loading the desk…");
  expect(shown.at(-1)).not.toContain("Loading the desk");
  await expectNeverBlank(page);
});

test("the blank watcher itself sees a mount point emptied after the first paint", async ({ page }) => {
  // The guard the tests above rely on must be able to fail.
  await watchForBlank(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await page.evaluate(() => new Promise((done) => {
    const desk = document.getElementById("desk");
    const panel = [...desk.childNodes];
    desk.replaceChildren();
    requestAnimationFrame(() => requestAnimationFrame(() => { desk.replaceChildren(...panel); done(); }));
  }));
  const blank = await page.evaluate(() => window.__blankSamples);
  expect(blank.length).toBeGreaterThan(0);
});

test("a panel that clears the mount point before rendering leaves the loading state showing, never a blank", async ({ page }) => {
  await watchForBlank(page);
  await serve(page, "manifest.json", { format: 1, releases: [release("2026.12.0", "panel/broken/clears-then-renders.js")] });
  await serve(page, "config.json", CONFIG);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await expect(page.locator(".panel")).toHaveText("rendered late");
  // The panel emptied the mount point; the core had the loading state put
  // back, and it stayed until the panel rendered.
  expect(await framesShown(page)).toEqual(["status: Loading the desk…", "rendered late"]);
  await expectNeverBlank(page);
});

test("the error screen is in French when the configuration says so", async ({ page }) => {
  await serve(page, "manifest.json", { format: 1, releases: BROKEN });
  await serve(page, "config.json", { ...CONFIG, locale: "fr" });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const alert = page.getByRole("alert");
  await expect(alert).toHaveAttribute("lang", "fr");
  await expect(alert.getByRole("heading")).toHaveText("Le desk n’a pas pu démarrer");
  await expect(alert.getByRole("button")).toHaveText("Réessayer");
  await page.screenshot({ path: "../../target/e2e/screenshots/error-fr.png", fullPage: true });
});

test.describe("in a French browser", () => {
  test.use({ locale: "fr-FR" });
  test("the error screen follows navigator.language", async ({ page }) => {
    await serve(page, "manifest.json", { format: 1, releases: BROKEN });
    await serve(page, "config.json", CONFIG);
    await page.goto("/desk.html");
    expect(await settled(page)).toBe("failed");
    await expect(page.getByRole("alert")).toHaveAttribute("lang", "fr");
  });
});

test("the error screen says what happened and what to do, with details for support", async ({ page }) => {
  await serve(page, "manifest.json", { format: 1, releases: [demoRelease("2026.11.2", { config: { variables: {
    API_URL: { type: "url", required: true }, CHAT_TOKEN: { type: "string", required: true } } } })] });
  await serve(page, "config.json", { values: {} });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const alert = page.getByRole("alert");
  await expect(alert).toBeFocused();
  await expect(alert).toContainText("Your conversations are safe");
  await expect(alert).toContainText("quote the code below");
  const code = await alert.locator(".desk-loader-code strong").innerText();
  expect(code).toMatch(/^config\.missing-[0-9A-Z]{6}$/);
  // Details are collapsed, then opened from the keyboard.
  await expect(alert.getByText("API_URL, CHAT_TOKEN")).toBeHidden();
  await alert.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(alert.getByText("API_URL, CHAT_TOKEN")).toBeVisible();
  for (const label of ["Error code", "Release", "Phase", "Variables at fault", "Time"]) {
    await expect(alert.locator("dt", { hasText: label })).toBeVisible();
  }
  await expect(alert.locator("dd").nth(2)).toHaveText("configuration");
  await page.screenshot({ path: "../../target/e2e/screenshots/error-en.png", fullPage: true });
});

test("Retry re-runs the boot in the same page, from the keyboard", async ({ page }) => {
  await serve(page, "config.json", { values: {} });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  await page.evaluate(() => { window.__sameDocument = true; });
  // The configuration is fixed on the server; the agent presses Retry.
  await page.unroute("**/config.json");
  await page.getByRole("button", { name: "Try again" }).focus();
  await page.keyboard.press("Enter");
  expect(await settled(page)).toBe("ready");
  await expect(page.locator(".panel")).toBeVisible();
  expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
});

test.describe("on a 320 px screen (as at 200% zoom on 640 px)", () => {
  test.use({ viewport: { width: 320, height: 640 } });
  test("the error screen fits, with no horizontal scrolling", async ({ page }) => {
    await serve(page, "manifest.json", { format: 1, releases: BROKEN });
    await serve(page, "config.json", CONFIG);
    await page.goto("/desk.html");
    expect(await settled(page)).toBe("failed");
    await page.getByRole("alert").locator("summary").click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByRole("button", { name: "Try again" })).toBeInViewport();
    await page.screenshot({ path: "../../target/e2e/screenshots/error-320.png", fullPage: true });
  });
});

test("the error screen's text has sufficient contrast, even when the panel's CSS failed", async ({ page }) => {
  await page.route("**/panel/**/panel.css", (r) => r.fulfill({ status: 404, body: "" }));
  await serve(page, "manifest.json", { format: 1, releases: [demoRelease("2026.11.2")] });
  await serve(page, "config.json", CONFIG);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const ratios = await page.evaluate(() => {
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

test("a host page can follow the boot: attributes, events, User Timing", async ({ page }) => {
  await page.addInitScript(() => {
    window.__events = [];
    document.addEventListener("desk-loader:state", (e) => window.__events.push(e.detail));
  });
  await serve(page, "manifest.json", { format: 1, releases: [...BROKEN, demoRelease("2026.11.1")] });
  await serve(page, "config.json", CONFIG);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  const events = await page.evaluate(() => window.__events);
  expect(events.map((e) => [e.state, e.release, e.attempt])).toEqual([
    ["loading", null, null], ["booting", "2026.12.0", 1], ["booting", "2026.11.1", 2], ["ready", "2026.11.1", 2]]);
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-release", "2026.11.1");
  await expect(page.locator("#desk")).toHaveAttribute("aria-busy", "false");
  const timing = await page.evaluate(() => ({
    marks: performance.getEntriesByType("mark").map((m) => m.name).filter((n) => n.startsWith("desk-loader:")),
    measures: performance.getEntriesByType("measure").map((m) => m.name),
  }));
  // boot.js marks its own two steps before the module's state marks.
  expect(timing.marks).toEqual(["desk-loader:script", "desk-loader:module", "desk-loader:loading", "desk-loader:booting", "desk-loader:booting", "desk-loader:ready"]);
  expect(timing.measures).toEqual(["desk-loader:manifest", "desk-loader:config", "desk-loader:bundle", "desk-loader:ready"]);
});

test("the report reaches the server at once, matches the support code, and is redacted", async ({ page, request }) => {
  await serve(page, "manifest.json", { format: 1, releases: [...BROKEN] });
  await serve(page, "config.json", CONFIG);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const code = await page.locator(".desk-loader-code strong").innerText();
  await expect.poll(async () => {
    const reports = await (await request.get("/__reports")).json();
    return reports.find((r) => r.supportCode === code);
  }).toBeTruthy();
  const reports = await (await request.get("/__reports")).json();
  const report = reports.find((r) => r.supportCode === code);
  expect(report).toMatchObject({ format: 1, outcome: "failed", code: "panel.threw", release: "2026.12.0", backendSchema: 43, userAgent: "headless" });
  expect(report.timings.totalMs).toBeGreaterThan(0);
  expect(JSON.stringify(report)).not.toContain("t0k3n");
});

test("a report stays under 8 KB, however many problems", async ({ page }) => {
  const variables = {};
  for (let i = 0; i < 300; i++) variables[`VARIABLE_NUMBER_${i}`] = { type: "url", required: true };
  await serve(page, "manifest.json", { format: 1, releases: [demoRelease("2026.11.2", { config: { variables } })] });
  await serve(page, "config.json", { values: {} });
  const logs = consoleText(page);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const line = logs.find((l) => l.startsWith('{"format":1,"outcome":"failed"'));
  expect(Buffer.byteLength(line)).toBeLessThanOrEqual(8192);
  const report = JSON.parse(line);
  expect(report.problemsDropped).toBeGreaterThan(200);
  expect(report.problems.length + report.problemsDropped).toBe(300);
});

test("when sendBeacon refuses, the report goes by fetch with keepalive", async ({ page }) => {
  await page.addInitScript(() => { navigator.sendBeacon = () => false; });
  const posted = page.waitForRequest((r) => r.url().endsWith("/__report") && r.method() === "POST");
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  const body = JSON.parse((await posted).postData());
  expect(body).toMatchObject({ outcome: "ready", release: "2026.11.2" });
});

test("native bridges of Android, iOS and React Native hear each state and the report", async ({ page }) => {
  await page.addInitScript(() => {
    window.__bridge = { android: [], ios: [], rn: [] };
    window.DeskLoaderBridge = { postMessage: (s) => window.__bridge.android.push(JSON.parse(s)) };
    window.webkit = { messageHandlers: { deskLoader: { postMessage: (o) => window.__bridge.ios.push(o) } } };
    window.ReactNativeWebView = { postMessage: (s) => window.__bridge.rn.push(JSON.parse(s)) };
  });
  await serve(page, "manifest.json", { format: 1, releases: BROKEN });
  await serve(page, "config.json", CONFIG);
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("failed");
  const bridge = await page.evaluate(() => window.__bridge);
  for (const messages of [bridge.android, bridge.ios, bridge.rn]) {
    expect(messages.map((m) => m.type === "desk-loader:state" ? m.state : m.type)).toEqual(
      ["loading", "booting", "failed", "desk-loader:report"]);
    expect(messages[2]).toMatchObject({ state: "failed", code: "panel.threw", release: "2026.12.0" });
    expect(messages[3].report).toMatchObject({ outcome: "failed", code: "panel.threw" });
  }
});

test("a bridge that throws does not stop the boot", async ({ page }) => {
  await page.addInitScript(() => { window.ReactNativeWebView = { postMessage: () => { throw new Error("bridge down"); } }; });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
});

test("the panel takes over from the loading state without a layout shift", async ({ page }) => {
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value; })
      .observe({ type: "layout-shift", buffered: true });
  });
  await page.route("**/manifest.json", async (r) => { await new Promise((f) => setTimeout(f, 300)); await r.fallback(); });
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.__shift)).toBeLessThan(0.01);
});

// When the loader itself cannot run, unavailable.js (a classic script) shows
// the error screen and reports it at once.
async function expectLoaderScreen(page, report, code) {
  const alert = page.getByRole("alert");
  await expect(alert).toHaveAttribute("data-desk-error", code);
  await expect(alert.getByRole("heading")).toHaveText("The desk could not start");
  await expect(alert).toBeFocused();
  await expect(page.locator("#desk")).toHaveAttribute("data-desk-state", "failed");
  const body = JSON.parse((await report).postData());
  expect(body).toMatchObject({ format: 1, outcome: "failed", code, problems: [{ code, severity: "error" }] });
  return body;
}

test("a WebAssembly module that cannot load shows loader.unavailable and reports it", async ({ page }) => {
  await watchForBlank(page);
  await page.route("**/pkg/desk_loader_bg.wasm", (r) => r.fulfill({ status: 404, body: "" }));
  const report = page.waitForRequest((r) => r.url().endsWith("/__report"));
  await page.goto("/desk.html");
  await expectLoaderScreen(page, report, "loader.unavailable");
  await expectNeverBlank(page);
});

// The fast embed, desk-loader embed's output, must reach the same screen.
for (const url of ["/desk.html", "/desk-fast.html"]) {
  test(`module glue that cannot load shows loader.unavailable and reports it (${url})`, async ({ page }) => {
    await page.route("**/pkg/desk_loader.js", (r) => r.fulfill({ status: 404, body: "" }));
    const report = page.waitForRequest((r) => r.url().endsWith("/__report"));
    await page.goto(url);
    const body = await expectLoaderScreen(page, report, "loader.unavailable");
    expect(body.problems[0].message).toContain("desk_loader.js");
  });
}

test("a browser without ES modules gets loader.unsupported, not an endless loading state", async ({ page }) => {
  // Such a browser skips boot.js and runs <script nomodule src="unavailable.js">.
  // Chromium runs modules and never fetches a nomodule script, so the test
  // plays that browser: no `noModule`, no boot.js, and the script added as a
  // classic script.
  await page.addInitScript(() => { delete HTMLScriptElement.prototype.noModule; });
  await page.route("**/boot.js", (r) => r.abort());
  await page.goto("/desk.html");
  await expect(page.locator('script[nomodule][src="unavailable.js"]')).toHaveCount(1);
  const report = page.waitForRequest((r) => r.url().endsWith("/__report"));
  await page.addScriptTag({ url: "/unavailable.js" });
  await expectLoaderScreen(page, report, "loader.unsupported");
  await expect(page.getByRole("alert")).toContainText("too old for the desk");
});

test("a healthy boot never fetches unavailable.js", async ({ page }) => {
  const fetched = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto("/desk.html");
  expect(await settled(page)).toBe("ready");
  expect(fetched).not.toContain("/unavailable.js");
});
