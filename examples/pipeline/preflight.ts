// The preflight from a Node pipeline's own code, typed by the package's
// node.d.ts: fail the deploy when the next release would not boot with the
// configuration production serves. `cargo xtask test` compiles it with
// `tsc --strict` (docs/cli.md, "In a deploy pipeline").
import { check, type CheckResult, type Problem } from "desk-loader/node";

declare const process: { exitCode?: number };
declare function fetchText(url: string): Promise<string>;

export async function preflight(manifest: string, configUrl: string): Promise<CheckResult> {
  const result = check(manifest, await fetchText(configUrl));
  const errors: Problem[] = result.problems.filter((p) => p.severity === "error");
  for (const p of errors) console.error(`${p.variable ?? p.path ?? "?"}: ${p.message} (${p.code})`);
  if (!result.bootable) process.exitCode = 1;
  return result;
}
