// A typed host page in a bundled app: the package installed from npm, the
// module's URL from the bundler (esbuild's `--loader:.wasm=file`). `cargo
// xtask test` compiles it with `tsc --noEmit --strict`, then installs the
// package's tarball into a scratch project, bundles this file with esbuild
// and boots the result in three engines (tests/e2e/dist.spec.js).
import init, { start, check, type BridgeMessage, type Options, type Report } from "desk-loader";
import wasm from "desk-loader/desk_loader_bg.wasm";
import "desk-loader/desk-loader.css";

const options: Options = { manifest: "manifest.json", config: "config.json", reportUrl: "/__report" };

document.addEventListener("desk-loader:state", (e) => {
  const { state, release, code } = e.detail;
  document.title = state === "failed" ? `Desk: ${code}` : `Desk: ${state}${release ? ` (${release})` : ""}`;
});

// What a native bridge would receive, typed.
function describe(message: BridgeMessage): string {
  return message.type === "desk-loader:report" ? `report: ${message.report.outcome}` : `state: ${message.state}`;
}

async function boot(): Promise<Report> {
  await init({ module_or_path: wasm });
  const manifest = await (await fetch("manifest.json")).text();
  const config = await (await fetch("config.json")).text();
  const preflight = check(manifest, config);
  if (!preflight.bootable) console.warn("desk-loader: this configuration would not boot", preflight.problems);
  start(options);
  const report = await window.deskLoader.settled;
  console.info(describe({ type: "desk-loader:report", report }), `after ${report.fallbacks} fallbacks`);
  return report;
}

void boot();
