// `require("desk-loader/node")`: the validator for Node code (Node 20 or
// later), the same module as the package's `desk-loader` command
// (docs/cli.md). Loaded synchronously; no `init()` to call.
import type { CheckResult } from "./index.js";

export type { CheckResult, Problem } from "./index.js";

/** Checks a release against a configuration, as `desk-loader check` does; each document is JSON text or an object. Throws when the manifest has no such release or a document cannot be read. */
export function check(manifest: string | object, config: string | object, release?: string): CheckResult;
