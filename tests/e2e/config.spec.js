// Runtime configuration in the browser: sources and their precedence, the
// features the panel is told about, and bad configurations that end on a
// clear error screen, never a blank page.
const { test, expect, hook } = require("./desk");
const { answer } = require("./helpers");

const GOOD = { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: "t0k3n-abcdef" }, backendSchema: 43 };

/** Boots desk.html with this configuration; returns the final state. */
async function boot(desk, config, contentType) {
  await desk.plan({ faults: [answer("config.json", config, contentType ? { contentType } : {})] });
  await desk.open("/desk.html");
  return desk.settled();
}

/** Opens the error screen's technical details and returns the alert's text. */
async function details(desk) {
  await desk.click("[role=alert] summary");
  return desk.text("[role=alert]");
}

test("configuration sources merge in order: URL, inline, then the host app's object", async ({ desk }) => {
  await desk.plan({ init: [hook(() => { window.deskLoaderHostConfig = { values: { API_URL: "https://app.example" } }; })] });
  await desk.open("/sources.html");
  expect(await desk.settled()).toBe("ready");
  const status = JSON.parse(await desk.attr(".panel-status", "data-config"));
  // API_URL from the app's object, POLL_INTERVAL_MS from inline JSON (typed), THEME from its default.
  expect(status).toEqual({ api: "https://app.example", poll: 2000, theme: "light", features: [] });
});

test("a feature whose variable is missing is switched off, and the panel still boots", async ({ desk }) => {
  expect(await boot(desk, { ...GOOD, features: { routingHints: true } })).toBe("ready");
  expect(await desk.text(".panel-status")).toContain("no optional features");
  const report = JSON.stringify(await desk.loggedReport("ready"));
  expect(report).toContain("\"code\":\"feature.disabled\"");
  expect(report).toContain("ROUTING_HINTS_URL: required by the feature \\\"routingHints\\\", but not set");
});

// The glue copies a text longer than its LONG (512 in JavaScript's length)
// into the module with TextEncoder.encode, and a shorter one a character at
// a time (glue/src/encode.rs): characters beyond ASCII arrive whole either way.
for (const [length, pad] of [["short", ""], ["long", "é😀 ".repeat(2500)]]) {
  test(`a ${length} configuration's text reaches the core whole, characters beyond ASCII included`, async ({ desk }) => {
    const config = JSON.stringify({ $schema: pad, ...GOOD, values: { ...GOOD.values, "THÈME_😀": "sombre" } });
    expect(config.length > 10000).toBe(length === "long");
    expect(await boot(desk, config)).toBe("ready");
    const report = JSON.stringify(await desk.loggedReport("ready"));
    expect(report).toContain("THÈME_😀: set, but this release declares no such variable");
  });
}

test("a missing core variable ends on an error screen that names it", async ({ desk }) => {
  expect(await boot(desk, { values: { API_URL: "https://api.desk.example" } })).toBe("failed");
  expect(await desk.focused("[role=alert]")).toBe(true);
  expect(await desk.attr("[role=alert]", "data-desk-error")).toBe("config.missing");
  expect(await details(desk)).toContain("CHAT_TOKEN: required by the core panel, but not set");
  await desk.screenshot("config-missing");
});

test("a configuration that is not JSON is named, and each missing variable too", async ({ desk }) => {
  expect(await boot(desk, "{\"values\": {\"API_URL\": ")).toBe("failed");
  const text = await details(desk);
  expect(text).toContain("API_URL: required by the core panel, but not set");
  expect(text).toContain("CHAT_TOKEN: required by the core panel, but not set");
});

test("a configuration that cannot be fetched is named in the report", async ({ desk }) => {
  await desk.plan({ faults: [answer("config.json", "gateway down", { status: 502, contentType: "text/plain" })] });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("failed");
  const report = JSON.stringify(await desk.report("failed"));
  expect(report).toContain("\"code\":\"config.unreadable\"");
  expect(report).toContain("config.json: HTTP 502");
});

test("hostile values are shown as text, never run as HTML", async ({ desk }) => {
  const hostile = "<img src=x onerror=\"window.__pwned=1\">";
  expect(await boot(desk, { values: { API_URL: hostile, CHAT_TOKEN: "t0k3n-abcdef", POLL_INTERVAL_MS: hostile } })).toBe("failed");
  expect(await details(desk)).toContain("POLL_INTERVAL_MS: expected an integer, found the string \"<img src=x onerror=\\\"window.__pwned=1\\\">\"");
  expect(await desk.count("#desk img")).toBe(0);
  expect(await desk.eval(() => window.__pwned === undefined)).toBe(true);
});

test("a secret's value never reaches the screen, the console or the report", async ({ desk }) => {
  const secret = "12345678901234";
  expect(await boot(desk, { values: { API_URL: "https://api.desk.example", CHAT_TOKEN: Number(secret) } })).toBe("failed");
  expect(await details(desk)).toContain("CHAT_TOKEN: expected a string, found a number (secret, value not shown)");
  expect(await desk.text("body")).not.toContain(secret);
  expect((await desk.console()).join("\n")).not.toContain(secret);
  expect(JSON.stringify(await desk.report("failed"))).not.toContain(secret);
});

test("an option out of range is a warning in the report and the console, and its default is used", async ({ desk }) => {
  await desk.plan({ options: { readyDeadlineMs: 0, reportFormat: "xml" } });
  await desk.open("/desk.html");
  expect(await desk.settled()).toBe("ready");
  const report = await desk.report("ready");
  expect(report.problems.filter((p) => p.code === "options.invalid").map((p) => [p.severity, p.message])).toEqual([
    ["warning", "options.reportFormat: expected \"json\" or \"otlp\", found the string \"xml\"; using \"json\""],
    ["warning", "options.readyDeadlineMs: expected a number of ms above 0, found the number 0; using 10000"],
  ]);
  expect(await desk.console()).toContain("desk-loader: options.readyDeadlineMs: expected a number of ms above 0, found the number 0; using 10000");
});
