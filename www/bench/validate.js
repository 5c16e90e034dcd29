// The browser half of the validation benchmark: the same documents as the
// native bench (served from target/bench by `cargo xtask bench`), checked by
// the wasm build's check(), timed with performance.now(). `?input=text`
// hands check() the documents' text, as the boot reads a fetched or inline
// document; `?input=objects`, the objects JSON.parse makes of them, as a host
// page that gives documents as objects.
import init, { check } from "../pkg/desk_loader.js";

const out = document.getElementById("result");
try {
  // Isolated by the server's COOP and COEP (BENCHMARKS.md, validate-*).
  if (!crossOriginIsolated) throw new Error("the page is not cross-origin isolated: its timer is coarse");
  await init();
  const query = new URLSearchParams(location.search);
  const n = Number(query.get("variables") || 500);
  const texts = await Promise.all(
    [`validate-${n}-manifest.json`, `validate-${n}-config.json`].map((f) => fetch("/__bench/" + f).then((r) => r.text())));
  const [manifest, config] = query.get("input") === "objects" ? texts.map((t) => JSON.parse(t)) : texts;
  const runs = Number(query.get("runs") || 200);
  const first = check(manifest, config);
  if (!first.bootable) throw new Error("the bench release should be bootable: " + JSON.stringify(first.problems[0]));
  // Warmed first, for a second and at least 20 checks, as criterion warms
  // up: V8's optimizing compiler then has finished (BENCHMARKS.md, validate-*).
  for (let i = 0, from = performance.now(); i < 20 || performance.now() - from < 1000; i++) check(manifest, config);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    check(manifest, config);
    samples.push((performance.now() - t) * 1000);
  }
  samples.sort((a, b) => a - b);
  out.dataset.result = JSON.stringify({ median_us: samples[runs >> 1], min_us: samples[0], max_us: samples[runs - 1], runs });
} catch (e) {
  out.dataset.error = String(e && e.message || e);
}
out.textContent = out.dataset.result || out.dataset.error;
