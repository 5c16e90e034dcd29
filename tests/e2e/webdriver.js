// A W3C WebDriver (classic) client: the few commands the suite needs, over
// plain HTTP. Hand-written rather than taken from npm: selenium-webdriver's
// current releases need Node 22 (these machines have 20), WebdriverIO brings
// its own runner, and the protocol subset used here is a dozen endpoints.
// https://www.w3.org/TR/webdriver2/
const { spawn } = require("child_process");
const net = require("net");

/** The key of an element reference in WebDriver's JSON. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A driver process (WebKitWebDriver, geckodriver, chromedriver) on a port of its own. */
class DriverProcess {
  static async start(binary, args = [], env = {}) {
    const port = await freePort();
    // A process group of its own: stop() ends the driver and the browsers it started.
    const child = spawn(binary, [`--port=${port}`, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env }, detached: true });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`${binary} exited (${child.exitCode}): ${stderr}`);
      try {
        const status = await (await fetch(`${url}/status`)).json();
        if (status.value) return new DriverProcess(child, url, () => stderr);
      } catch { /* not listening yet */ }
      await new Promise((f) => setTimeout(f, 50));
    }
    try { process.kill(-child.pid, "SIGTERM"); } catch { child.kill(); }
    throw new Error(`${binary} did not answer on ${url} within 10 s: ${stderr}`);
  }

  constructor(child, url, stderr) {
    this.child = child;
    this.url = url;
    this.stderr = stderr;
  }

  /** A new session with these capabilities (`alwaysMatch`), within `timeoutMs`. */
  async session(capabilities, timeoutMs = 120_000) {
    const value = await command("POST", `${this.url}/session`, { capabilities: { alwaysMatch: capabilities } }, timeoutMs)
      .catch((e) => { throw new Error(`${e.message}; the driver said: ${this.stderr().slice(-1000)}`); });
    return new Session(`${this.url}/session/${value.sessionId}`, value.capabilities);
  }

  stop() {
    try { process.kill(-this.child.pid, "SIGTERM"); } catch { this.child.kill(); }
  }
}

/** Sends one command; returns its `value`, or throws the driver's error. */
async function command(method, url, body, timeoutMs = 120_000) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A hang detector: no command the suite sends takes a minute (a new
    // session waits for its browser, which without a display never comes).
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((e) => {
    throw new Error(`WebDriver ${method} ${new URL(url).pathname}: ${e.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : e.message}`);
  });
  const json = await res.json().catch(() => ({ value: { error: `HTTP ${res.status}`, message: "not JSON" } }));
  if (!res.ok || (json.value && json.value.error)) {
    const e = json.value || {};
    throw new Error(`WebDriver ${method} ${new URL(url).pathname.replace(/^\/session\/[^/]+/, "")}: ${e.error}: ${e.message}`);
  }
  return json.value;
}

/** One WebDriver session. */
class Session {
  constructor(base, capabilities) {
    this.base = base;
    this.capabilities = capabilities;
  }

  cmd(method, path, body) {
    return command(method, this.base + path, body);
  }

  timeouts(t) { return this.cmd("POST", "/timeouts", t); }
  navigate(url) { return this.cmd("POST", "/url", { url }); }
  refresh() { return this.cmd("POST", "/refresh", {}); }
  /** Runs `source` (a function body) with `args`; `arguments[arguments.length - 1]` is the callback. */
  executeAsync(source, args = []) { return this.cmd("POST", "/execute/async", { script: source, args }); }
  async screenshot() { return Buffer.from(await this.cmd("GET", "/screenshot"), "base64"); }
  windowHandle() { return this.cmd("GET", "/window"); }
  async newWindow() { return (await this.cmd("POST", "/window/new", { type: "tab" })).handle; }
  switchTo(handle) { return this.cmd("POST", "/window", { handle }); }
  closeWindow() { return this.cmd("DELETE", "/window"); }
  setWindowRect(rect) { return this.cmd("POST", "/window/rect", rect); }
  async find(css) { return (await this.cmd("POST", "/element", { using: "css selector", value: css }))[ELEMENT]; }
  click(element) { return this.cmd("POST", `/element/${element}/click`, {}); }
  sendKeys(element, text) { return this.cmd("POST", `/element/${element}/value`, { text }); }
  end() { return this.cmd("DELETE", ""); }
}

/** WebDriver's code for a key Playwright names (`Enter`, `Tab`, …). */
const KEYS = { Enter: "\uE007", Tab: "\uE004", Escape: "\uE00C", " ": " ", Space: " " };

module.exports = { DriverProcess, Session, KEYS, freePort };
