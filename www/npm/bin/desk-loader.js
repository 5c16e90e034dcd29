#!/usr/bin/env node
// `npx desk-loader check|schema|embed …`: the preflight CLI from the npm
// package, on Node 18 or later (tested on Node 20). The same validator as the
// native binary, compiled to WebAssembly with the CLI's own logic
// (src/cli.rs, bound for Node in src/node.rs): the same options, output and
// exit codes (docs/cli.md). This file is the I/O shell only: it reads the
// files and URLs that cliInputs names and prints what cliRun answers.
import { openSync, readSync, closeSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { cliInputs, cliRun } = require("../node/desk_loader.cjs");

/** An OS error in the words the native CLI uses too. */
function fileError(e) {
  switch (e.code) {
    case "ENOENT": return "no such file";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "a directory, not a file";
    default: return e.message;
  }
}

/** At most `limit` bytes of a file. */
function readFile(path, limit) {
  let fd;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(limit);
    let length = 0;
    for (let n; length < limit && (n = readSync(fd, buffer, length, limit - length, null)) > 0;) length += n;
    return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
  } catch (e) {
    return { error: fileError(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A URL as the desk fetches it: a GET with the headers, within the timeout. */
async function readUrl(url, plan) {
  let response;
  try {
    response = await fetch(url, { headers: plan.headers, signal: AbortSignal.timeout(plan.timeoutMs) });
  } catch (e) {
    // Known by the abort signal's own error, not by a message's words.
    if (e.name === "TimeoutError") return { error: plan.noAnswer };
    const code = e.cause && e.cause.code;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { error: "the host name does not resolve" };
    if (code === "ECONNREFUSED") return { error: "cannot connect to the host" };
    // A header fetch refuses is not repeated: its value may be a credential.
    if (e instanceof TypeError && !e.cause) return { error: "the request was refused before it was sent (check --header)" };
    return { error: String((e.cause && e.cause.message) || e.message) };
  }
  if (!response.ok) return { error: `HTTP ${response.status}` };
  try {
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { bytes: bytes.subarray(0, plan.limit), contentType: response.headers.get("content-type") };
  } catch (e) {
    return { error: e.name === "TimeoutError" ? plan.noAnswer : `the answer was cut off: ${e.message}` };
  }
}

const args = process.argv.slice(2);
const plan = cliInputs(args);
let output = plan.output;
if (!output) {
  const reads = [];
  for (const input of plan.inputs) reads.push(input.url ? await readUrl(input.location, plan) : readFile(input.location, plan.limit));
  output = cliRun(args, reads);
}
process.stdout.write(output.stdout);
process.stderr.write(output.stderr);
process.exitCode = output.code;
