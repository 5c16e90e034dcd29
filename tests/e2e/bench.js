// Drives the browser halves of the bench harness (`bench/`, run by `cargo xtask bench`: Debian's Chromium; Firefox
// ESR and WebKitGTK for boot-100ms-server) and prints one line per figure.
// Not a test: it asserts nothing about speed.
const { chromium, firefox } = require("@playwright/test");
const { DriverProcess } = require("./webdriver");

const fs = require("fs");
const path = require("path");

const base = process.env.BASE_URL;
// BENCH_ONLY=heavyPanel,memory runs only those parts (a developer's loop; the table is then partial).
const only = (process.env.BENCH_ONLY || "").split(",").filter(Boolean);
const wanted = (part) => only.length === 0 || only.includes(part);
const quick = process.argv.includes("--quick");
const RUNS = quick ? 5 : 20;
const MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, "../../www/manifest.json"), "utf8"));
const PREVIOUS = MANIFEST.releases.find((r) => r.id === "2026.11.1");
const { release, perBuildPage } = require("./helpers");

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

const broken = (id, file) => release(id, `panel/broken/${file}`);

/** A new page in `context`, with `latency` ms of emulated round trip. */
async function newPage(context, latency) {
  const page = await context.newPage();
  if (latency) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency, downloadThroughput: -1, uploadThroughput: -1 });
  }
  return page;
}

/** A page in a fresh browser context, with `latency` ms of emulated round trip. */
async function freshPage(browser, latency) {
  const context = await browser.newContext();
  return { context, page: await newPage(context, latency) };
}

/**
 * Waits for the User Timing mark `mark` (not a measure of the same name) and
 * returns its time in ms from navigation start; fails with the desk's state.
 */
async function markTime(page, mark) {
  await page.waitForFunction((m) => performance.getEntriesByName(m, "mark").length > 0, mark, { timeout: 20_000 })
    .catch(async (e) => { throw new Error(`${page.url()} never reached ${mark}: ${await page.locator("#desk").getAttribute("data-desk-state").catch(() => "?")}, ${e.message}`); });
  return page.evaluate((m) => performance.getEntriesByName(m, "mark")[0].startTime, mark);
}

/** ms from navigation start to the performance mark `mark` on a fresh page. */
async function timeTo(browser, url, mark, { latency = 0, setup } = {}) {
  const { context, page } = await freshPage(browser, latency);
  if (setup) await setup(page);
  await page.goto(base + url, { waitUntil: "commit" });
  const t = await markTime(page, mark);
  await context.close();
  return t;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
};
function line(name, place, xs) {
  const { median, min, max } = stats(xs);
  console.log(`bench ${name} ${place} median_us=${(median * 1000).toFixed(0)} min_us=${(min * 1000).toFixed(0)} max_us=${(max * 1000).toFixed(0)} runs=${xs.length}`);
  return median;
}

/** Interleaves the measurements A, B, … RUNS times each; returns their samples. */
async function interleaved(browser, cases) {
  const samples = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, c] of cases.entries()) samples[j].push(await timeTo(browser, ...c));
  }
  return samples;
}

const manifest = (releases) => (page) =>
  page.route("**/manifest.json", (r) => r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ format: 1, releases }) }));
const knownGood = (page) => page.addInitScript((previous) => {
  localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, knownGood: { release: previous, backendSchema: 43, configFingerprint: "bench", at: Date.now() }, quarantine: [] }));
}, PREVIOUS);
const deadline = (ms) => (page) => withOptions(page, { readyDeadlineMs: ms });

async function bootOverhead(browser) {
  // ms the loader adds to a boot (its median minus the plain page's), per latency.
  const added = {};
  for (const latency of [0, 100]) {
    const [fast, fetched, plain] = await interleaved(browser, [
      ["/desk-fast.html", "desk-loader:ready", { latency }],
      ["/desk.html", "desk-loader:ready", { latency }],
      ["/bench/plain.html", "plain:ready", { latency }],
    ]);
    const a = line(`boot-${latency}ms`, "loader-fast-embed", fast);
    const b = line(`boot-${latency}ms`, "loader-fetched-documents", fetched);
    const c = line(`boot-${latency}ms`, "plain-script", plain);
    console.log(`bench boot-${latency}ms fast-embed/plain ratio=${(a / c).toFixed(2)}`);
    console.log(`bench boot-${latency}ms fetched-documents/plain ratio=${(b / c).toFixed(2)}`);
    added[latency] = { "fast-embed": a - c, "fetched-documents": b - c };
  }
  // What 100 ms of latency adds to the loader's overhead, in round trips: a
  // request the loader makes after the page's own (a document fetched once
  // the module runs) counts 1; main-thread work alone counts 0.
  for (const place of ["fast-embed", "fetched-documents"]) {
    console.log(`bench boot-round-trips ${place} round_trips=${((added[100][place] - added[0][place]) / 100).toFixed(2)}`);
  }
}

/**
 * Where a cold boot of the fast embed spends its time at 100 ms of latency:
 * when its files have arrived (resource timing, ms from navigation start),
 * then each step between the loader's marks; the plain page beside it.
 */
async function bootPhases(browser) {
  const latency = 100;
  const runs = quick ? 5 : 20;
  // `bench:painted`: the first frame after ready, once its main-thread
  // rendering steps have run (BENCHMARKS.md, boot-phases-100ms, says why).
  const marks = () => ({ "files-arrived": [], "desk-loader:script": [], "desk-loader:module": [], "desk-loader:loading": [], "desk-loader:booting": [], "desk-loader:ready": [], "bench:painted": [] });
  const loader = marks();
  // The build issue 18 measured (bench/src/baseline.rs, `BASELINE`), in the same run.
  const baseline = marks();
  const plain = { "files-arrived": [], "plain:ready": [], "bench:painted": [] };
  const loaderFiles = ["desk_loader_bg.wasm", "desk_loader.js", "boot.js", "panel.js", "panel.css"];
  for (let i = 0; i < runs; i++) {
    for (const [url, into, files] of [["/desk-fast.html", loader, loaderFiles], ["/__bench/baseline/src/www/desk-fast.html", baseline, loaderFiles], ["/bench/plain.html", plain, ["plain-shim.js", "panel.js", "panel.css"]]]) {
      const { context, page } = await freshPage(browser, latency);
      await page.addInitScript(() => {
        // In the very task that marks ready, a callback for the next frame;
        // its rendering steps run after requestAnimationFrame's callbacks,
        // and the message after them. Both pages mark through `performance.mark`.
        const mark = performance.mark.bind(performance);
        performance.mark = (name, options) => {
          const entry = mark(name, options);
          if (/^(desk-loader|plain):ready$/.test(name)) {
            requestAnimationFrame(() => {
              const channel = new MessageChannel();
              channel.port1.onmessage = () => mark("bench:painted");
              channel.port2.postMessage(0);
            });
          }
          return entry;
        };
      });
      await page.goto(base + url, { waitUntil: "commit" });
      await markTime(page, Object.keys(into).pop());
      const t = await page.evaluate(([names, files]) => {
        // The first fetch of each file: the copies the loader caches after ready come later.
        const arrived = files.map((f) => performance.getEntriesByType("resource").find((e) => e.name.endsWith("/" + f))?.responseEnd ?? NaN);
        return [Math.max(...arrived), ...names.map((n) => performance.getEntriesByName(n, "mark")[0]?.startTime ?? NaN)];
      }, [Object.keys(into).slice(1), files]);
      if (t.some(Number.isNaN)) throw new Error(`${url}: a file or a mark is missing from the timeline: ${t}`);
      Object.values(into).forEach((xs, k) => xs.push(t[k]));
      await context.close();
    }
  }
  // When the files arrived, then how long each step took (medians of each run's step).
  const steps = (page, marks) => {
    const names = Object.keys(marks);
    line(`boot-phases-${latency}ms`, `${page}-files-arrived`, marks[names[0]]);
    for (let k = 1; k < names.length; k++) {
      const short = (n) => n.replace(/^(desk-loader|plain|bench):/, "").replace("files-arrived", "files");
      line(`boot-phases-${latency}ms`, `${page}-${short(names[k - 1])}-to-${short(names[k])}`, marks[names[k]].map((t, r) => t - marks[names[k - 1]][r]));
    }
  };
  steps("loader", loader);
  steps("baseline", baseline);
  steps("plain", plain);
  // The main-thread work once the files are in: from their arrival to ready,
  // and to the first frame after it.
  const work = (marks, last) => marks["files-arrived"].map((t, r) => marks[last][r] - t);
  for (const [end, mark, plainMark] of [["ready", "desk-loader:ready", "plain:ready"], ["painted", "bench:painted", "bench:painted"]]) {
    const now = line(`boot-phases-${latency}ms`, `loader-files-to-${end}`, work(loader, mark));
    const before = line(`boot-phases-${latency}ms`, `baseline-files-to-${end}`, work(baseline, mark));
    // The plain page's files-to-ready is a step row already.
    const bare = end === "ready" ? stats(work(plain, plainMark)).median : line(`boot-phases-${latency}ms`, `plain-files-to-${end}`, work(plain, plainMark));
    console.log(`bench boot-phases-${latency}ms ${end}:loader/baseline ratio=${(now / before).toFixed(2)}`);
    console.log(`bench boot-phases-${latency}ms ${end}:loader/plain ratio=${(now / bare).toFixed(2)}`);
  }
}

/**
 * Warm boots: the same browser context loads the page once, then again; the
 * second load is measured. The server answers unchanged files with 304, so
 * this is what an agent's daily reload costs once the files (and, for the
 * wasm module, V8's code cache) are in the browser's caches. At 100 ms of
 * latency, also with the loader's files at a per-build path served
 * `immutable` (docs/embed.md, "Serving the loader's files"): the second visit
 * then takes them from the cache without asking, and the loader runs while
 * the panel's files are revalidated.
 */
async function warmBoot(browser) {
  const warm = (url, mark, latency) => warmTime(browser, url, mark, latency);
  const perBuild = perBuildPage();
  for (const [latency, cases] of [
    [0, [["loader-fast-embed", "/desk-fast.html"], ["plain-script", "/bench/plain.html"]]],
    [100, [["loader-fast-embed", "/desk-fast.html"], ["loader-per-build", perBuild], ["plain-script", "/bench/plain.html"]]],
  ]) {
    const samples = cases.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [j, [place, url]] of cases.entries()) {
        samples[j].push(await warm(url, place === "plain-script" ? "plain:ready" : "desk-loader:ready", latency));
      }
    }
    const medians = cases.map(([place], j) => line(`boot-warm-${latency}ms`, place, samples[j]));
    const plain = medians[medians.length - 1];
    for (const [j, [place]] of cases.slice(0, -1).entries()) {
      console.log(`bench boot-warm-${latency}ms ${place.replace("loader-", "")}/plain ratio=${(medians[j] / plain).toFixed(2)}`);
    }
  }
}

/** ms to `mark` on a second visit to `url` in one browser context (the first one's caches written). */
async function warmTime(browser, url, mark, latency) {
  const context = await browser.newContext();
  for (let visit = 0; visit < 2; visit++) {
    const page = await newPage(context, latency);
    await page.goto(base + url, { waitUntil: "commit" });
    const t = await markTime(page, mark);
    if (visit === 1) {
      await context.close();
      return t;
    }
    // Let the browser write its caches (V8 writes the wasm code cache after the first run).
    await page.waitForTimeout(1000);
    await page.close();
  }
}

/**
 * The JS heap, garbage collected, once `url` reached `mark` in a fresh
 * context; and what `also(page)` reads from the same page, if given.
 */
async function heapAfter(browser, url, mark, also) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(base + url, { waitUntil: "commit" });
  await markTime(page, mark);
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const used = (await cdp.send("Runtime.getHeapUsage")).usedSize;
  const extra = also ? await also(page) : undefined;
  await context.close();
  return also ? [used, extra] : used;
}

const bytesLine = (name, place, xs) => {
  const { median, min, max } = stats(xs);
  console.log(`bench ${name} ${place} median_bytes=${median} min_bytes=${min} max_bytes=${max} runs=${xs.length}`);
  return median;
};

/**
 * The realistic panel (`bench/src/heavy.rs`: 1.5 MB of JavaScript that runs
 * at boot, 100 KB of CSS), beside the toy one: a cold boot and a warm one at
 * 100 ms of latency, with the recommended embed and in plain tags; what the
 * browser's integrity check of its files costs (the same page with the
 * files' integrity left out, `allowSameOriginWithoutIntegrity`); recovery (its
 * newest release throws, the previous one is known-good); the time from
 * ready until the files are in Cache Storage (`knownGood.cached` in the
 * record); a boot whose files the server no longer has, from Cache Storage
 * (each file's bytes checked with WebCrypto first); the JS heap.
 */
async function heavyPanel(browser) {
  const H = "/__bench/heavy";
  const READY = "desk-loader:ready";
  const [loader, noIntegrity, plain] = await interleaved(browser, [
    [`${H}/desk.html`, READY, { latency: 100 }],
    [`${H}/desk-no-integrity.html`, READY, { latency: 100 }],
    [`${H}/plain.html`, "plain:ready", { latency: 100 }],
  ]);
  const a = line("boot-100ms-heavy", "loader-fast-embed", loader);
  const b = line("boot-100ms-heavy", "loader-without-integrity", noIntegrity);
  const c = line("boot-100ms-heavy", "plain-script", plain);
  console.log(`bench boot-100ms-heavy fast-embed/plain ratio=${(a / c).toFixed(2)}`);
  console.log(`bench boot-100ms-heavy integrity-check ms=${(a - b).toFixed(0)}`);

  const warm = { loader: [], plain: [] };
  for (let i = 0; i < RUNS; i++) {
    warm.loader.push(await warmTime(browser, `${H}/desk.html`, READY, 100));
    warm.plain.push(await warmTime(browser, `${H}/plain.html`, "plain:ready", 100));
  }
  const w = line("boot-warm-100ms-heavy", "loader-fast-embed", warm.loader);
  const wp = line("boot-warm-100ms-heavy", "plain-script", warm.plain);
  console.log(`bench boot-warm-100ms-heavy fast-embed/plain ratio=${(w / wp).toFixed(2)}`);

  const heavy = JSON.parse(fs.readFileSync(path.join(__dirname, "../../target/bench/heavy/manifest.json"), "utf8")).releases[0];
  const knownHeavy = (page) => page.addInitScript((release) => {
    localStorage.setItem("desk-loader:record", JSON.stringify({ format: 1, knownGood: { release, backendSchema: null, configFingerprint: "bench", at: Date.now() }, quarantine: [] }));
  }, heavy);
  const [recovered, healthy] = await interleaved(browser, [
    [`${H}/desk-recovery.html`, READY, { setup: knownHeavy }],
    [`${H}/desk.html`, READY, {}],
  ]);
  const r = line("recovery-heavy", "same-page-fallback", recovered);
  const h = line("recovery-heavy", "healthy", healthy);
  console.log(`bench recovery-heavy fallback/healthy ratio=${(r / h).toFixed(2)}`);

  // Ready, then the files fetched again with their integrity and stored; then
  // a second page in the same context, the server answering 404 for them.
  const cacheWrite = [];
  const fromCache = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    let page = await context.newPage();
    // The time the record says the files are stored, taken in the page as it is written.
    await page.addInitScript(() => {
      const set = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key === "desk-loader:record" && String(value).includes('"cached":true') && !window.__cachedAt) window.__cachedAt = performance.now();
        return set.call(this, key, value);
      };
    });
    await page.goto(`${base}${H}/desk.html`, { waitUntil: "commit" });
    const ready = await markTime(page, READY);
    await page.waitForFunction(() => window.__cachedAt, null, { timeout: 30_000 });
    cacheWrite.push((await page.evaluate(() => window.__cachedAt)) - ready);
    await page.close();
    page = await context.newPage();
    await page.route(`**${H}/panel.*`, (route) => route.fulfill({ status: 404, body: "gone" }));
    await page.goto(`${base}${H}/desk.html`, { waitUntil: "commit" });
    fromCache.push(await markTime(page, READY));
    await context.close();
  }
  line("heavy-cache", "ready-to-cached", cacheWrite);
  line("boot-heavy-from-cache", "loader-fast-embed", fromCache);

  const runs = quick ? 3 : 10;
  const heap = { loader: [], plain: [] };
  for (let i = 0; i < runs; i++) {
    heap.loader.push(await heapAfter(browser, `${H}/desk.html`, READY));
    heap.plain.push(await heapAfter(browser, `${H}/plain.html`, "plain:ready"));
  }
  const ml = bytesLine("memory-js-heap-heavy", "loader-fast-embed", heap.loader);
  const mp = bytesLine("memory-js-heap-heavy", "plain-script", heap.plain);
  console.log(`bench memory-js-heap-heavy loader-minus-plain bytes=${ml - mp}`);
}

/**
 * Memory after a boot, garbage collected: the JS heap of the fast-embed page
 * against the plain page (the difference is what the loader keeps), and the
 * module's linear memory. `init()` of an initialised wasm-bindgen module
 * returns its exports, so the figure needs nothing shipped for it.
 */
async function memory(browser) {
  const runs = quick ? 3 : 10;
  const samples = { loader: [], plain: [], wasm: [] };
  // The export has a short name ([names] in wasm-pack.toml): found by type.
  const linear = (page) => page.evaluate(async () => Object.values(await (await import("/pkg/desk_loader.js")).default())
    .find((e) => e instanceof WebAssembly.Memory).buffer.byteLength);
  for (let i = 0; i < runs; i++) {
    const [heap, wasm] = await heapAfter(browser, "/desk-fast.html", "desk-loader:ready", linear);
    samples.loader.push(heap);
    samples.wasm.push(wasm);
    samples.plain.push(await heapAfter(browser, "/bench/plain.html", "plain:ready"));
  }
  const a = bytesLine("memory-js-heap", "loader-fast-embed", samples.loader);
  const b = bytesLine("memory-js-heap", "plain-script", samples.plain);
  console.log(`bench memory-js-heap loader/plain ratio=${(a / b).toFixed(2)}`);
  console.log(`bench memory-js-heap loader-minus-plain bytes=${a - b}`);
  bytesLine("memory-wasm-linear", "loader-fast-embed", samples.wasm);
}

/**
 * What the loader's boot costs in compilation: V8 compiles a wasm function
 * on the main thread the first time it is called (`wasm.CompileLazy` in a
 * trace), so each boot pays for every function its path touches. A cold
 * fast-embed boot is traced; the figures are the functions compiled that way
 * before the ready mark, their code bytes (both exact from run to run), and
 * the main thread's time in it (tracing adds a little).
 */
async function compileAtBoot(browser) {
  const runs = quick ? 3 : 10;
  // `{imports, bodies}` of the served module, read by the bench's wasm parser (`bench/src/weight.rs`).
  const module = JSON.parse(fs.readFileSync(process.env.WASM_FUNCTIONS, "utf8"));
  const counts = [];
  const bytes = [];
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const events = [];
    cdp.on("Tracing.dataCollected", (d) => events.push(...d.value));
    const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
    await cdp.send("Tracing.start", { categories: "v8.wasm,blink.user_timing", transferMode: "ReportEvents" });
    await page.goto(base + "/desk-fast.html", { waitUntil: "commit" });
    await markTime(page, "desk-loader:ready");
    await cdp.send("Tracing.end");
    await complete;
    // Up to the ready mark: what the record, the cache and the report compile after it is off the path.
    // The mark, not the measure of the same name (which starts when the release's files were added).
    const ready = events.find((e) => e.name === "desk-loader:ready" && e.cat.includes("user_timing") && e.ph !== "b" && e.ph !== "e");
    if (!ready) throw new Error("no desk-loader:ready mark in the trace");
    const lazy = events.filter((e) => e.name === "wasm.CompileLazy" && e.ph === "X" && e.ts < ready.ts);
    counts.push(lazy.length);
    bytes.push(lazy.reduce((sum, e) => sum + (module.bodies[e.args.func_index - module.imports] ?? NaN), 0));
    times.push(lazy.reduce((sum, e) => sum + e.dur, 0) / 1000);
    await context.close();
  }
  if (counts.some((n) => n === 0)) throw new Error("no wasm.CompileLazy event in a boot's trace: has V8 renamed it?");
  if (bytes.some(Number.isNaN)) throw new Error("a compiled function index is not in the served module");
  line("wasm-compile-at-boot", "loader-fast-embed", times);
  const counted = (place, xs, of) => {
    const { median, min, max } = stats(xs);
    console.log(`bench wasm-compile-at-boot ${place} count=${median} min=${min} max=${max} of=${of} runs=${xs.length}`);
  };
  counted("functions-compiled", counts, module.bodies.length);
  counted("code-bytes-compiled", bytes, module.bodies.reduce((sum, size) => sum + size, 0));
}

async function recovery(browser) {
  const both = async (page) => { await manifest([broken("2026.12.0", "throws.js"), PREVIOUS])(page); await knownGood(page); };
  const [recovered, healthyPrevious] = await interleaved(browser, [
    ["/desk.html", "desk-loader:ready", { setup: both }],
    ["/desk.html", "desk-loader:ready", { setup: manifest([PREVIOUS]) }],
  ]);
  // Reload-based recovery: the broken page fails, then a reload boots the previous release.
  const reload = [];
  for (let i = 0; i < RUNS; i++) {
    reload.push((await timeTo(browser, "/bench/plain-broken.html", "plain:failed")) + (await timeTo(browser, "/bench/plain-previous.html", "plain:ready")));
  }
  const a = line("recovery", "same-page-fallback", recovered);
  const b = line("recovery", "healthy-previous", healthyPrevious);
  const c = line("recovery", "reload-based", reload);
  console.log(`bench recovery fallback/healthy ratio=${(a / b).toFixed(2)}`);
  console.log(`bench recovery fallback/reload ratio=${(a / c).toFixed(2)}`);
  const neverReady = [];
  for (let i = 0; i < RUNS; i++) {
    neverReady.push(await timeTo(browser, "/desk.html", "desk-loader:ready", {
      setup: async (page) => { await manifest([broken("2026.12.0", "never-ready.js"), PREVIOUS])(page); await deadline(2000)(page); },
    }));
  }
  line("recovery-never-ready-2s-deadline", "same-page-fallback", neverReady);
}

/**
 * An agent reloading the desk with a report endpoint that is healthy, that
 * never answers, or that answers 500: the same browser (its six HTTP/1.1
 * connections per origin), 10 reloads right after each boot, each plan on a
 * port of its own with the endpoint on the page's origin. Figures: the
 * median and the slowest boot of the 10 (ms from navigation start to ready).
 */
async function reportEndpoint(browser) {
  const out = {};
  for (const [place, faults] of [
    ["healthy", []],
    ["hangs", [{ path: "/__report", hang: true }]],
    ["answers-500", [{ path: "/__report", status: 500, body: "down" }]],
  ]) {
    const res = await fetch(`${base}/__plans`, { method: "POST", body: JSON.stringify({ faults }) });
    const { port } = await res.json();
    const context = await browser.newContext();
    const page = await context.newPage();
    const times = [];
    await page.goto(`http://127.0.0.1:${port}/desk.html`, { waitUntil: "commit" });
    times.push(await markTime(page, "desk-loader:ready"));
    for (let i = 0; i < 10; i++) {
      await page.reload({ waitUntil: "commit" });
      times.push(await markTime(page, "desk-loader:ready"));
    }
    await context.close();
    await fetch(`http://127.0.0.1:${port}/__plan`, { method: "DELETE" });
    const reloads = times.slice(1);
    out[place] = line(`report-endpoint-${place}`, "loader-desk", reloads);
    console.log(`bench report-endpoint-${place} slowest-reload ms=${Math.max(...reloads).toFixed(0)}`);
  }
  console.log(`bench report-endpoint-hangs hangs-minus-healthy ms=${(out.hangs - out.healthy).toFixed(0)}`);
  console.log(`bench report-endpoint-answers-500 answers-500-minus-healthy ms=${(out["answers-500"] - out.healthy).toFixed(0)}`);
}

/**
 * `boot-100ms-server`: a cold boot at 100 ms of latency in each engine the
 * suite drives, the latency emulated by the test server (a plan's
 * `latencyMs`: every request waits 100 ms first) rather than by Chromium's
 * DevTools protocol, so the figure means the same in Chromium, Firefox
 * (Playwright) and WebKit (WebKitGTK's MiniBrowser, by WebDriver, under the
 * Xvfb display `cargo xtask bench` starts). Each boot gets a plan of its
 * own: a new origin, so nothing is cached or stored from an earlier one.
 */
async function bootPerEngine(chromiumBrowser) {
  const latencyMs = 100;
  const cases = [["loader-fast-embed", "/desk-fast.html", "desk-loader:ready"], ["plain-script", "/bench/plain.html", "plain:ready"]];
  const planned = async () => {
    const res = await fetch(`${base}/__plans`, { method: "POST", body: JSON.stringify({ latencyMs }) });
    if (!res.ok) throw new Error(`the test server refused the plan: ${await res.text()}`);
    const origin = `http://127.0.0.1:${(await res.json()).port}`;
    return { origin, end: () => fetch(`${origin}/__plan`, { method: "DELETE" }) };
  };
  const playwright = (browser) => async (url, mark) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    const t = await markTime(page, mark);
    await context.close();
    return t;
  };
  const engines = [["chromium", async () => ({ boot: playwright(chromiumBrowser), close: async () => {} })]];
  engines.push(["firefox", async () => {
    const browser = await firefox.launch({ executablePath: "/usr/bin/firefox-esr", channel: "moz-firefox" });
    return { boot: playwright(browser), close: () => browser.close() };
  }]);
  engines.push(["webkit", async () => {
    const driver = await DriverProcess.start("WebKitWebDriver");
    const session = await driver.session({
      "webkitgtk:browserOptions": { binary: "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", args: ["--automation"] },
      pageLoadStrategy: "none",
    });
    const boot = async (url, mark) => {
      await session.navigate(url);
      // Hang detector: a boot here takes well under a second.
      for (const start = Date.now(); Date.now() - start < 20_000; await new Promise((f) => setTimeout(f, 20))) {
        const t = await session.executeAsync(
          "const e = performance.getEntriesByName(arguments[0], 'mark')[0]; arguments[2](location.href === arguments[1] && e ? e.startTime : null)",
          [mark, url]).catch(() => null);
        if (t !== null) return t;
      }
      throw new Error(`${url} never reached ${mark} in WebKit`);
    };
    return { boot, close: async () => { await session.end().catch(() => {}); driver.stop(); } };
  }]);
  for (const [engine, open] of engines) {
    const { boot, close } = await open();
    try {
      const samples = cases.map(() => []);
      for (let i = 0; i < RUNS; i++) {
        for (const [j, [, url, mark]] of cases.entries()) {
          const { origin, end } = await planned();
          samples[j].push(await boot(origin + url, mark));
          await end();
        }
      }
      const [loader, plain] = cases.map(([place], j) => line(`boot-${latencyMs}ms-server`, `${engine}-${place}`, samples[j]));
      console.log(`bench boot-${latencyMs}ms-server ${engine}-fast-embed/plain ratio=${(loader / plain).toFixed(2)}`);
    } finally {
      await close();
    }
  }
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    if (wanted("validate")) for (const [input, suffix] of [["text", ""], ["objects", "-objects"]]) for (const n of [50, 500, 5000]) {
      const page = await browser.newPage();
      await page.goto(`${base}/bench/validate.html?variables=${n}&input=${input}&runs=${quick ? 50 : 200}`);
      const output = page.locator("#result");
      await output.filter({ hasText: /\S/ }).waitFor({ timeout: 120_000 });
      const error = await output.getAttribute("data-error");
      if (error) throw new Error(error);
      const r = JSON.parse(await output.getAttribute("data-result"));
      console.log(`bench validate-${n}${suffix} chromium median_us=${r.median_us.toFixed(1)} min_us=${r.min_us.toFixed(1)} max_us=${r.max_us.toFixed(1)} runs=${r.runs}`);
      await page.close();
    }
    if (wanted("bootOverhead")) await bootOverhead(browser);
    if (wanted("bootPerEngine")) await bootPerEngine(browser);
    if (wanted("heavyPanel")) await heavyPanel(browser);
    if (wanted("warmBoot")) await warmBoot(browser);
    if (wanted("bootPhases")) await bootPhases(browser);
    if (wanted("compileAtBoot")) await compileAtBoot(browser);
    if (wanted("recovery")) await recovery(browser);
    if (wanted("reportEndpoint")) await reportEndpoint(browser);
    if (wanted("memory")) await memory(browser);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error("bench:", e.message);
  process.exit(1);
});
