#!/usr/bin/env node
// `npx desk-loader check|schema|embed …`: the preflight CLI from the npm
// package, on Node 20 or later. The same validator as the
// native binary, compiled to WebAssembly with the CLI's own logic
// (crates/cli/src/cli.rs, bound for Node in src/node.rs): the same options, output and
// exit codes (docs/cli.md). This file is the I/O shell only: it reads the
// files and URLs that cliInputs names and prints what cliRun answers.
import { openSync, readSync, closeSync, fstatSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { cliInputs, cliRun } = require("../node/desk_loader.cjs");

/** An OS error as one of the CLI's failures (crates/cli/src/cli.rs, `Failure`). */
function fileFailure(e) {
  switch (e.code) {
    case "ENOENT": return { failure: "no-such-file" };
    case "EACCES": case "EPERM": return { failure: "permission-denied" };
    case "EISDIR": return { failure: "directory" };
    default: return { failure: "other", words: e.message };
  }
}

/** At most `limit` bytes of a file. */
function readFile(path, limit) {
  let fd;
  try {
    fd = openSync(path, "r");
    // No more room than the file needs: a build's limit is large.
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(size > 0 ? Math.min(limit, size + 1) : limit);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;) length += n;
    return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
  } catch (e) {
    return fileFailure(e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A URL as the desk fetches it: a GET with the headers, within the timeout,
 * at most `limit` bytes, no redirect followed (a header goes to the host it
 * was given for, and no other). A failure is named, never worded here: the
 * words are the CLI's, and hold neither the URL nor a header's value.
 */
async function readUrl(url, plan, limit) {
  const signal = AbortSignal.timeout(plan.timeoutMs);
  let response;
  try {
    response = await fetch(url, { headers: plan.headers, signal, redirect: "manual" });
  } catch (e) {
    // Known by the abort signal's own error, not by a message's words.
    if (e.name === "TimeoutError") return { failure: "no-answer" };
    const code = e.cause && e.cause.code;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { failure: "host-unknown" };
    if (code === "ECONNREFUSED") return { failure: "cannot-connect" };
    return { failure: "other", words: code || e.name };
  }
  if (response.status >= 300) return { failure: "status", status: response.status };
  const chunks = [];
  let length = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) break;
    }
  } catch (e) {
    return { failure: e.name === "TimeoutError" ? "no-answer" : "cut-off" };
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), contentType: response.headers.get("content-type") };
}

const args = process.argv.slice(2);
const reads = [];
let plan = cliInputs(args, reads);
let output = plan.output;
if (!output) {
  // Read what the CLI names; it may name more once it has seen them (`release`).
  while (plan.inputs.length > reads.length) {
    for (const input of plan.inputs.slice(reads.length)) {
      reads.push(input.url ? await readUrl(input.location, plan, input.limit) : readFile(input.location, input.limit));
    }
    plan = cliInputs(args, reads);
  }
  output = cliRun(args, reads);
}
process.stdout.write(output.stdout);
process.stderr.write(output.stderr);
process.exitCode = output.code;
