// The preflight CLI, two ways (docs/cli.md): the native binary and the npm
// package's `desk-loader` command (the CLI's own code compiled to
// WebAssembly, run by Node), installed from the tarball as a desk team
// installs it. `cargo xtask test` runs this with Node's test runner and sets:
// DESK_LOADER_NATIVE (the binary), DESK_LOADER_NODE (the package's command in
// a scratch project's node_modules/.bin) and BASE_URL (the project's test
// server, whose plans serve the live documents and their faults).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const NATIVE = process.env.DESK_LOADER_NATIVE;
const NODE = process.env.DESK_LOADER_NODE;
const BASE_URL = process.env.BASE_URL;
const INCIDENT = path.join(ROOT, "tests/fixtures/incident-2023-08-11");

/**
 * Runs a CLI: `{ stdout, stderr, code }`. Asynchronously: a server in this
 * process must go on answering it. A hang detector: twice the longest
 * timeout a test gives a CLI (8 s by default), with slack.
 */
function run(cli, args, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { cwd, timeout: 60_000 });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
  });
}

/** Both CLIs on the same arguments: they must agree; returns what they said. */
async function both(args, cwd) {
  const native = await run(NATIVE, args, cwd);
  const node = await run(NODE, args, cwd);
  assert.deepEqual(node, native, `the Node CLI and the native one differ on: desk-loader ${args.join(" ")}`);
  return native;
}

/** A static server over `dir` on 127.0.0.1, as the docs' `served at` marker asks. */
async function serve(dir) {
  const server = createServer((req, res) => {
    try {
      const body = readFileSync(path.join(dir, decodeURIComponent(req.url.split("?")[0]).replace(/^\/+/, "")));
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((f) => server.listen(0, "127.0.0.1", f));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** A command line's words, as a shell splits them ("…" is one word). */
function words(line) {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

test("every console example of docs/cli.md and the README prints the same, and exits the same, from both CLIs", async () => {
  let ran = 0;
  const servers = [];
  try {
    for (const page of ["docs/cli.md", "README.md"]) {
      // A command may go on over lines ending in `\`.
      const lines = readFileSync(path.join(ROOT, page), "utf8").replace(/\\\n\s*/g, " ").split("\n");
      let dir = ROOT, served = null;
      const runAll = async (commands) => {
        for (const command of commands) {
          await both(words(command).map((w) => (served ? w.replace(served[0], served[1]) : w)), dir);
          ran++;
        }
      };
      const command = (line) => line.match(/^\$ (?:desk-loader|cargo run -q --bin desk-loader --) (.*)$/);
      for (let i = 0; i < lines.length; i++) {
        const marker = lines[i].match(/^<!-- example: in (.+?)(?:, served at (\$\w+))? -->$/);
        if (marker) {
          dir = path.join(ROOT, marker[1]);
          served = null;
          if (marker[2]) {
            const server = await serve(dir);
            servers.push(server);
            served = [marker[2], server.origin];
          }
          continue;
        }
        // An output example: `<!-- example: $ desk-loader … -->`.
        const output = lines[i].match(/^<!-- example: \$ desk-loader (.*) -->$/);
        if (output) await runAll([output[1]]);
        if (lines[i] !== "```console") continue;
        const commands = [];
        for (i++; lines[i] !== "```"; i++) {
          const found = command(lines[i]);
          if (found) commands.push(found[1]);
        }
        await runAll(commands);
      }
    }
  } finally {
    servers.forEach((s) => s.close());
  }
  assert.ok(ran >= 7, `only ${ran} examples ran: a page did not parse`);
});

test("every case of tests/cases/validation.json checks the same from both CLIs, as text and as JSON", async () => {
  const cases = JSON.parse(readFileSync(path.join(ROOT, "tests/cases/validation.json"), "utf8"));
  const dir = mkdtempSync(path.join(tmpdir(), "desk-loader-cases-"));
  let ran = 0;
  for (const [i, c] of cases.entries()) {
    const manifest = { format: 1, releases: [{ id: "r1", assets: [{ type: "script", url: "p.js", integrity: "sha384-" + "A".repeat(64) }], config: c.contract }] };
    writeFileSync(path.join(dir, `m${i}.json`), JSON.stringify(manifest));
    writeFileSync(path.join(dir, `c${i}.json`), JSON.stringify(c.config));
    for (const format of ["text", "json"]) {
      const said = await both(["check", "--manifest", `m${i}.json`, "--config", `c${i}.json`, "--format", format], dir);
      assert.ok(said.code === 0 || said.code === 1, `${c.name}: exit ${said.code}: ${said.stderr}`);
      ran++;
    }
  }
  assert.ok(cases.length >= 10 && ran === 2 * cases.length, `${ran} checks ran for ${cases.length} cases`);
});

test("bad arguments and unreadable files: the same usage errors and exit 2 from both CLIs", async () => {
  for (const args of [
    [],
    ["check", "--manifest", "manifest.json"],
    ["check", "--manifest", "manifest.json", "--config", "nope.json"],
    ["check", "--manifest", "manifest.json", "--config", "config.production.json", "--format", "xml"],
    ["check", "--manifest", "manifest.json", "--config", "config.production.json", "--header", "no colon"],
    ["check", "--manifest", "manifest.json", "--config", "config.production.json", "--header", "X-Token: s3cr3t\u00e9"],
    ["schema", "--manifest", "manifest.json", "--config", "config.production.json"],
    ["frobnicate"],
  ]) {
    const said = await both(args, INCIDENT);
    assert.equal(said.code, 2, `desk-loader ${args.join(" ")}`);
    assert.ok(!said.stderr.includes("s3cr3t"), "a header's value is never printed");
  }
  assert.equal((await both(["schema", "--manifest", "manifest.json"], INCIDENT)).code, 0);
  assert.equal((await both(["embed", "--manifest", "manifest.json", "--config", "config.fixed.json"], INCIDENT)).code, 0);
});

/** A plan on the project's test server serving `faults`; its origin and request log. */
async function plan(faults) {
  const res = await fetch(`${BASE_URL}/__plans`, { method: "POST", body: JSON.stringify({ faults, options: {}, init: "" }) });
  if (!res.ok) throw new Error(`the test server refused the plan: ${await res.text()}`);
  const { port } = await res.json();
  const origin = `http://127.0.0.1:${port}`;
  return { origin, requests: async () => (await fetch(`${origin}/__plan/requests`)).json() };
}

const PRODUCTION = readFileSync(path.join(INCIDENT, "config.production.json"), "utf8");
const answer = (p, body, extra = {}) => ({ path: p, status: 200, contentType: "application/json", body, ...extra });

for (const [name, cli] of [["native", () => NATIVE], ["Node", () => NODE]]) {
  test(`the ${name} CLI checks against the live configuration: the missing variable named, the header sent and never printed`, async () => {
    const server = await plan([answer("/config.json", PRODUCTION)]);
    const said = await run(cli(), ["check", "--manifest", "manifest.json", "--config", `${server.origin}/config.json`, "--header", "Authorization: Bearer s3cr3t-t0k3n"], INCIDENT);
    assert.equal(said.code, 1);
    assert.match(said.stdout, /^ENGINE_GATEWAY_URL: required by the core panel, but not set \(error config\.missing\)$/m);
    assert.ok(!(said.stdout + said.stderr).includes("s3cr3t"), "the header's value is never printed");
    const asked = (await server.requests()).filter((r) => r.url === "/config.json");
    assert.equal(asked.length, 1);
    assert.equal(asked[0].authorized, true, "the Authorization header reached the server");
  });

  test(`the ${name} CLI reads the manifest at a URL, merges configuration sources in order and reads the backend endpoint, as the desk does`, async () => {
    const server = await plan([
      answer("/manifest.json", readFileSync(path.join(INCIDENT, "manifest.json"), "utf8")),
      answer("/base.json", PRODUCTION),
      answer("/override.json", JSON.stringify({ values: { ENGINE_GATEWAY_URL: "https://engine.example" } })),
      answer("/version", JSON.stringify({ schema: 43 })),
    ]);
    const args = ["check", "--manifest", `${server.origin}/manifest.json`, "--config", `${server.origin}/base.json`, "--config", `${server.origin}/override.json`];
    assert.equal((await run(cli(), args, INCIDENT)).code, 0, "the later source sets the variable");
    const old = await run(cli(), [...args, "--release", "2023.08.04", "--backend", `${server.origin}/version`], INCIDENT);
    assert.doesNotMatch(old.stdout, /backend\.incompatible/, "schema 43 from the endpoint fits >=42, <44");
  });

  for (const [what, fault, expected] of [
    ["a 500", { status: 500, body: "oops", contentType: "text/plain" }, "cannot be read: HTTP 500"],
    ["a timeout", { hang: true }, "cannot be read: no answer within 1 s"],
    ["an HTML page", { body: "<!doctype html><title>Sign in</title>", contentType: "text/html" }, "answered with an HTML page, not JSON (a login or error page?)"],
    ["a redirect, not followed (a header goes to no other host)", { status: 302, body: "", headers: { Location: "https://elsewhere.example/config.json" } },
      "cannot be read: HTTP 302: a redirect, which the CLI does not follow; give the URL it points to"],
  ]) {
    test(`the ${name} CLI names ${what} from the live configuration's URL, exit 2`, async () => {
      const server = await plan([{ path: "/config.json", ...fault }]);
      const url = `${server.origin}/config.json`;
      const said = await run(cli(), ["check", "--manifest", "manifest.json", "--config", url, "--timeout-ms", "1000"], INCIDENT);
      assert.equal(said.code, 2);
      assert.equal(said.stdout, "");
      assert.equal(said.stderr, `desk-loader: ${url}: ${expected}\n`);
    });
  }

  test(`the ${name} CLI names an unreachable host, exit 2`, async () => {
    // A port just freed: nothing listens there.
    const server = createServer();
    await new Promise((f) => server.listen(0, "127.0.0.1", f));
    const url = `http://127.0.0.1:${server.address().port}/config.json`;
    await new Promise((f) => server.close(f));
    const said = await run(cli(), ["check", "--manifest", "manifest.json", "--config", url], INCIDENT);
    assert.equal(said.code, 2);
    assert.equal(said.stderr, `desk-loader: ${url}: cannot be read: cannot connect to the host\n`);
    const nowhere = await run(cli(), ["check", "--manifest", "manifest.json", "--config", "https://desk.invalid/config.json"], INCIDENT);
    assert.equal(nowhere.code, 2);
    assert.equal(nowhere.stderr, "desk-loader: https://desk.invalid/config.json: cannot be read: the host name does not resolve\n");
  });
}

test("check() from Node code: the package's `desk-loader/node`, the same verdict as the CLI's JSON", async () => {
  const require = createRequire(path.join(path.dirname(NODE), "..", "..", "package.json"));
  const { check } = require("desk-loader/node");
  const manifest = readFileSync(path.join(INCIDENT, "manifest.json"), "utf8");
  const result = check(manifest, PRODUCTION);
  const cli = JSON.parse((await run(NATIVE, ["check", "--format", "json", "--manifest", "manifest.json", "--config", "config.production.json"], INCIDENT)).stdout);
  assert.equal(result.bootable, false);
  assert.deepEqual(JSON.parse(JSON.stringify(result)), cli);
});
