// Small helpers shared by the end-to-end specs.
const { expect } = require("@playwright/test");

/** Waits for the boot to end and returns the final state: "ready" or "failed". */
async function settled(page) {
  const desk = page.locator("#desk");
  await expect(desk).toHaveAttribute("data-desk-state", /^(ready|failed)$/, { timeout: 15_000 });
  return desk.getAttribute("data-desk-state");
}

/** Serves `body` for requests to `path` (relative to the base URL). */
async function serve(page, path, body, { status = 200, contentType = "application/json" } = {}) {
  // A glob, not a predicate: only matching requests are intercepted.
  await page.route("**/" + path, (route) =>
    route.fulfill({ status, contentType, body: typeof body === "string" ? body : JSON.stringify(body) }));
}

/** Collects console messages, so tests can check what was logged. */
function consoleText(page) {
  const lines = [];
  page.on("console", (m) => lines.push(m.text()));
  return lines;
}

module.exports = { settled, serve, consoleText };

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const WWW = path.join(__dirname, "../../www");

/** The SRI hash of a file under www/. */
function sri(file) {
  return "sha384-" + crypto.createHash("sha384").update(fs.readFileSync(path.join(WWW, file))).digest("base64");
}

/** A release whose script is `script` (under www/), with the given extra fields. */
function release(id, script, extra = {}) {
  return { id, assets: [{ type: "script", url: script, integrity: sri(script) }], ...extra };
}

/** The demo's healthy releases: 2026.11.2 and 2026.11.1. */
function demoRelease(id, extra = {}) {
  const css = `panel/${id}/panel.css`;
  const js = `panel/${id}/panel.js`;
  return {
    id,
    assets: [{ type: "style", url: css, integrity: sri(css) }, { type: "script", url: js, integrity: sri(js) }],
    ...extra,
  };
}

/**
 * Patches the page's options (the JSON in #desk-loader-options) as the parser
 * inserts it, before boot.js runs. The document itself stays the server's:
 * a document fulfilled by Playwright would count as a public address, and
 * Chrome's Private Network Access would then block requests to localhost.
 */
async function withOptions(page, patch) {
  await page.addInitScript((patch) => {
    const apply = (el) => {
      if (!el || el.id !== "desk-loader-options" || el.dataset.patched) return;
      let options;
      try { options = JSON.parse(el.textContent); } catch { return; } // its text is not parsed yet
      el.textContent = JSON.stringify({ ...options, ...patch });
      el.dataset.patched = "1";
    };
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) apply(n.nodeType === 1 ? n : n.parentElement);
    }).observe(document, { childList: true, subtree: true, characterData: true });
  }, patch);
}

/** The last report logged with this outcome, parsed. */
function reportFrom(lines, outcome) {
  const line = lines.findLast((l) => l.startsWith(`{"format":1,"outcome":"${outcome}"`));
  return line && JSON.parse(line);
}

module.exports.sri = sri;
module.exports.release = release;
module.exports.demoRelease = demoRelease;
module.exports.withOptions = withOptions;
module.exports.reportFrom = reportFrom;

/**
 * Samples the mount point from the first contentful paint on, at every
 * animation frame: `window.__blankSamples` lists the frames where the
 * viewport showed nothing of the desk (no text, no visible element in #desk),
 * and `window.__shown` what it showed (see `framesShown`).
 * Before that paint the browser is still loading the page (a frame can run
 * while the parser has not yet reached the mount point's content): nothing
 * the loader shows or hides. A page that never paints content has no sample,
 * which `expectNeverBlank` fails.
 */
async function watchForBlank(page) {
  await page.addInitScript(() => {
    window.__samples = 0;
    window.__blankSamples = [];
    window.__shown = [];
    const sample = () => {
      const desk = document.getElementById("desk");
      if (!desk || performance.getEntriesByName("first-contentful-paint").length === 0) return;
      window.__samples++;
      const r = desk.getBoundingClientRect();
      const text = desk.innerText.trim();
      const shown = (desk.querySelector('[role="status"]') ? "status: " : "") + text;
      if (window.__shown.at(-1) !== shown) window.__shown.push(shown);
      const visible = [...desk.querySelectorAll("*")].some((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
      if (r.height === 0 || (!text && !visible)) window.__blankSamples.push(performance.now());
    };
    // requestAnimationFrame runs right before each paint: what it sees is what the agent sees.
    const frame = () => { sample(); requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  });
}

/**
 * What the mount point showed, frame by frame from the first contentful
 * paint: its text each time it changed, prefixed "status: " while it holds a
 * `role="status"` element. Unlike polling the page after `goto`, this sees a
 * state however briefly it was painted, and never misses one because the
 * test ran late.
 */
async function framesShown(page) {
  // The sampler runs at each frame: let one more frame come, so that what
  // the page holds now has been sampled too.
  return page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(window.__shown)))));
}

/** Asserts the page was sampled and never blank. */
async function expectNeverBlank(page) {
  const { samples, blank } = await page.evaluate(() => ({ samples: window.__samples, blank: window.__blankSamples }));
  expect(samples).toBeGreaterThan(0);
  expect(blank).toEqual([]);
}

module.exports.watchForBlank = watchForBlank;
module.exports.expectNeverBlank = expectNeverBlank;
module.exports.framesShown = framesShown;

/**
 * desk-fast.html with the loader's files at a per-build path, as
 * `desk-loader embed --loader-base /__build/<id>/` writes it (the test server
 * serves `/__build/<id>/` immutable). Written to target/bench and loaded from
 * `/__bench/`, with `<base href="/">` so that the release's relative URLs stay
 * where desk-fast.html has them.
 */
function perBuildPage() {
  const www = path.join(__dirname, "../../www");
  const id = crypto.createHash("sha256")
    .update(fs.readFileSync(path.join(www, "pkg/desk_loader_bg.wasm")))
    .update(fs.readFileSync(path.join(www, "pkg/desk_loader.js")))
    .digest("hex").slice(0, 16);
  const loader = `/__build/${id}/`;
  let html = fs.readFileSync(path.join(www, "desk-fast.html"), "utf8");
  for (const [from, to] of [
    ['href="pkg/', `href="${loader}pkg/`],
    ['src="boot.js"', `src="${loader}boot.js"`],
    ['src="unavailable.js"', `src="${loader}unavailable.js"`],
    ["<head>\n", '<head>\n  <base href="/">\n'],
  ]) {
    if (!html.includes(from)) throw new Error(`desk-fast.html has no ${from}: the per-build page cannot be written`);
    html = html.split(from).join(to);
  }
  const out = path.join(__dirname, "../../target/bench");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "desk-fast-per-build.html"), html);
  return "/__bench/desk-fast-per-build.html";
}
module.exports.perBuildPage = perBuildPage;
