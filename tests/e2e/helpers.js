// Small helpers shared by the end-to-end specs: releases, documents and
// fault rules for the test server's plans (tests/server/src/plan.rs).
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
 * A fault rule that answers `path` with `body` (an object is sent as JSON),
 * instead of the file.
 */
function answer(path, body, { status = 200, contentType = "application/json", times } = {}) {
  return {
    path: path.startsWith("/") ? path : `/${path}`,
    status,
    contentType,
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(times === undefined ? {} : { times }),
  };
}

/** `release` with each digest in base64url, unpadded: `-` and `_` for `+` and `/`. */
function base64url(release) {
  const url = (integrity) => integrity.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return { ...release, assets: release.assets.map((a) => ({ ...a, integrity: url(a.integrity) })) };
}

module.exports.sri = sri;
module.exports.base64url = base64url;
module.exports.release = release;
module.exports.demoRelease = demoRelease;
module.exports.answer = answer;

/**
 * Fault rules that serve the files a page preloads as docs/embed.md
 * recommends: fresh for a few seconds (`Cache-Control: max-age=5`), not
 * `no-cache`. WebKit reuses a preloaded response only while it is fresh;
 * otherwise the loader's own request revalidates it, a round trip more.
 */
const FRESH = ["/manifest.json", "/config.json", "/pkg/desk_loader_bg.wasm", "/pkg/desk_loader.js"]
  .map((path) => ({ path, headers: { "Cache-Control": "max-age=5" } }));
module.exports.FRESH = FRESH;

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
