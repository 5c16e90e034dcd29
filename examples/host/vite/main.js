// The README's bundled-app snippet as a Vite app writes it: the module's URL
// is Vite's `?url` import. `cargo xtask test` installs the package's tarball
// into a scratch project, builds this folder with Vite and boots the result
// in three engines (tests/e2e/dist.spec.js), beside the esbuild bundle of
// ../main.ts.
import init, { start } from "desk-loader";
import wasm from "desk-loader/desk_loader_bg.wasm?url";
import "desk-loader/desk-loader.css";

await init({ module_or_path: wasm });
start({ manifest: "manifest.json", config: "config.json", reportUrl: "/__report" });
