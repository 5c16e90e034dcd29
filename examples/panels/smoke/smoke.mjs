// Smoke test of the built panels (run `npm run build` first): serves
// examples/panels/dist with `python3 -m http.server`, opens
// smoke.html?fw=<fw> in Debian's Chromium through the Playwright that
// tests/e2e installed, and prints what the fake loader saw.
//   node smoke/smoke.mjs [react vue svelte]
// SMOKE_RUNS=n repeats each framework n times; SMOKE_QUIET=1 prints only the summary lines.
import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = process.env.PANELS_OUT ? path.resolve(process.env.PANELS_OUT) : path.join(here, "..", "dist");
const require = createRequire(path.join(here, "../../../tests/e2e/package.json"));
const { chromium } = require("playwright-core");

const frameworks = process.argv.slice(2).length ? process.argv.slice(2) : ["react", "vue", "svelte"];
copyFileSync(path.join(here, "smoke.html"), path.join(dist, "smoke.html"));

const port = 8700 + Math.floor(Math.random() * 200);
const server = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1"], { cwd: dist, stdio: "ignore" });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let failures = 0;
const runs = Number(process.env.SMOKE_RUNS || 1);
try {
  for (let i = 0; i < 50; i++) {
    try { await fetch(`http://127.0.0.1:${port}/smoke.html`); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  for (const fw of frameworks.flatMap((f) => Array(runs).fill(f))) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("response", (res) => res.status() >= 400 && !res.url().endsWith("/favicon.ico") && errors.push(`${res.status()} ${res.url()}`));
    await page.goto(`http://127.0.0.1:${port}/smoke.html?fw=${fw}`);
    await page.waitForFunction(() => window.__smoke?.done, null, { timeout: 15000 });
    const r = await page.evaluate(() => window.__smoke);
    r.errors = errors;
    if (!process.env.SMOKE_QUIET) console.log(JSON.stringify(r, null, 2));
    const ok = r.registered === 1 && r.events.find((e) => e.when === "frame2")?.panelRoot === fw &&
      r.detailsAt.details && r.afterAbort.textLength === 0 && r.afterAbort.panelLog.includes(`${fw}:unmounted`) && !errors.length;
    const atReady = r.events[0];
    const first = r.events.find((e) => e.panelRoot);
    console.log(`${ok ? "PASS" : "FAIL"} ${fw}: at ready() placeholder=${atReady.placeholder} panel=${!!atReady.panelRoot} text=${atReady.textLength}; ` +
      `panel first seen at ${first?.when ?? "never"}; details after ${r.detailsAt.when}; abort -> text=${r.afterAbort.textLength}`);
    if (!ok) failures++;
    await page.close();
  }
} finally {
  await browser.close();
  server.kill();
}
console.log(`${frameworks.length * runs - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
