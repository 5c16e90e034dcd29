// Drives the browser halves of `cargo xtask bench` in Debian's Chromium and
// prints one line per figure. Not a test: it asserts nothing about speed.
const { chromium } = require("@playwright/test");

const base = process.env.BASE_URL;
const quick = process.argv.includes("--quick");

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/bench/validate.html?runs=${quick ? 50 : 200}`);
    const output = page.locator("#result");
    await output.filter({ hasText: /\S/ }).waitFor({ timeout: 60_000 });
    const error = await output.getAttribute("data-error");
    if (error) throw new Error(error);
    const r = JSON.parse(await output.getAttribute("data-result"));
    console.log(`bench validate-500 chromium median_us=${r.median_us.toFixed(1)} min_us=${r.min_us.toFixed(1)} max_us=${r.max_us.toFixed(1)} runs=${r.runs}`);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error("bench:", e.message);
  process.exit(1);
});
