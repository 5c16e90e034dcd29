// The walking skeleton, end to end: the demo desk page boots the fake panel
// through the loader, and the loader remembers the release that worked.
const { test, expect } = require("@playwright/test");

test("the demo desk boots the panel through the loader", async ({ page }) => {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/desk.html");

  const desk = page.locator("#desk");
  await expect(desk).toHaveAttribute("data-desk-state", "ready");
  await expect(page.locator(".panel")).toBeVisible();
  await expect(page.locator(".panel-release")).toHaveText("release 2026.11.2");
  await expect(page.getByRole("textbox", { name: "Reply to Camille D." })).toBeVisible();

  const record = await page.evaluate(() => JSON.parse(localStorage.getItem("desk-loader:record")));
  expect(record).toMatchObject({ format: 1, knownGood: { release: { id: "2026.11.2" }, backendSchema: 43 } });
  expect(record.knownGood.release.assets.map((a) => a.type)).toEqual(["style", "script"]);

  // The panel's files were added with integrity, by the loader.
  const integrity = await page.locator('script[data-desk-attempt="1"]').getAttribute("integrity");
  expect(integrity).toMatch(/^sha384-/);
  expect(errors).toEqual([]);

  await page.screenshot({ path: "../../target/e2e/screenshots/demo-ready.png", fullPage: true });
});
