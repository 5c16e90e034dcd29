const { chromium } = require("@playwright/test");
const base = "http://127.0.0.1:8091";
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  for (const [url, mark] of [["/desk-fast.html", "desk-loader:ready"], ["/bench/plain.html", "plain:ready"], ["/desk-fast.html", "desk-loader:ready"], ["/bench/plain.html", "plain:ready"]]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const events = [];
    cdp.on("Tracing.dataCollected", (d) => events.push(...d.value));
    const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
    await cdp.send("Tracing.start", { categories: "devtools.timeline,v8,v8.wasm,disabled-by-default-v8.compile,blink.user_timing,loading", transferMode: "ReportEvents" });
    await page.goto(base + url, { waitUntil: "commit" });
    await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark);
    const t = await page.evaluate((m) => performance.getEntriesByName(m)[0].startTime, mark);
    const res = await page.evaluate(() => performance.getEntriesByType("resource").map((r) => `${r.name.replace(/.*\//, "")} ${r.startTime.toFixed(0)}-${r.responseEnd.toFixed(0)}`));
    await cdp.send("Tracing.end");
    await done;
    // main thread: the renderer thread with most events named RunTask
    const nav = events.find((e) => e.name === "navigationStart" || e.name === "NavigationBodyLoader::StartLoadingBody");
    const byTid = {};
    for (const e of events) if (e.name === "RunTask") byTid[e.tid] = (byTid[e.tid] || 0) + 1;
    const sums = {};
    const t0 = Math.min(...events.filter((e) => e.ts > 0 && e.name === "navigationStart").map((e) => e.ts));
    for (const e of events) {
      if (e.ph !== "X" || !e.dur) continue;
      if (e.ts < t0 || e.ts > t0 + t * 1000) continue;
      const k = e.name;
      sums[k] = (sums[k] || 0) + e.dur / 1000;
    }
    const top = Object.entries(sums).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1)} ${k}`);
    console.log(`== ${url} ready at ${t.toFixed(0)} ms\n  ${res.join("\n  ")}\n  ${top.join("\n  ")}`);
    await context.close();
  }
  await browser.close();
})();
