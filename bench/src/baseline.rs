//! The baseline of `boot-phases-100ms`: the build issue 18 measured, built
//! from its own commit with its own xtask, served beside today's build by
//! the test server (under `/__bench/`, as everything in `target/bench/`) and
//! measured in the same run (`tests/e2e/bench.js`, `bootPhases`).

use std::process::Command;

/// The commit whose build is the main-thread baseline: the last of
/// 2026-11-30, the build issue 18 measured (33 ms of loader work between the
/// files' arrival and ready; 80,403 B gzip).
const BASELINE: &str = "350aacc789db44864dcb2e6d1be3b69859545027";

/// The baseline a developer asked for instead (`BENCH_BASELINE=<commit>`):
/// to compare today's build with the one before a change, in the same run.
/// Such a run leaves BENCHMARKS.md as it is.
pub fn chosen() -> Option<String> {
    std::env::var("BENCH_BASELINE").ok().filter(|c| !c.is_empty())
}

/// The baseline's commit: [`BASELINE`], or the one [`chosen`].
fn commit() -> String {
    chosen().unwrap_or_else(|| BASELINE.to_owned())
}

/// Where [`BASELINE`]'s `www/` is built, under `target/bench/`: the test
/// server serves it at `/__bench/baseline/src/www/` (its `desk-fast.html`,
/// `boot.js`, module and panels, all linked relatively).
fn baseline_www() -> std::path::PathBuf {
    crate::root().join("target/bench/baseline/src/www")
}

/// Builds [`BASELINE`] once (again if `BASELINE` changes: a stamp keeps the
/// commit built), from `git archive` with its own xtask and
/// `wasm-pack.toml`, into [`baseline_www`]. Returns its size figure,
/// measured as today's packages are.
pub fn build() -> Result<String, String> {
    let baseline = commit();
    let baseline = baseline.as_str();
    let www = baseline_www();
    let src = www.parent().ok_or("baseline path")?.to_path_buf();
    let dir = src.parent().ok_or("baseline path")?.to_path_buf();
    let stamp = dir.join("commit");
    let pkg = www.join("pkg");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(baseline) {
        let root = crate::root();
        let git = |args: &[&str]| {
            println!("$ git {}", args.join(" "));
            Command::new("git").args(args).current_dir(&root).status().map_err(|e| format!("git: {e}"))
        };
        if !git(&["cat-file", "-e", &format!("{baseline}^{{commit}}")])?.success() {
            return Err(format!(
                "the baseline commit {baseline} is not in this clone (a shallow one?): `git fetch --unshallow`"
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
        let tar = dir.join("src.tar");
        let (tar_arg, src_arg) = (tar.to_string_lossy().into_owned(), src.to_string_lossy().into_owned());
        if !git(&["archive", "--output", &tar_arg, baseline])?.success() {
            return Err(format!("git archive {baseline} failed"));
        }
        let unpacked = Command::new("tar").args(["-xf", &tar_arg, "-C", &src_arg]).status();
        if !unpacked.map_err(|e| format!("tar: {e}"))?.success() || !src.join("Cargo.toml").is_file() {
            return Err(format!("unpacking {} into {src_arg} failed", tar.display()));
        }
        let mut build = crate::cargo();
        build
            .args(["run", "--quiet", "-p", "xtask", "--", "build"])
            .current_dir(&src)
            .env("CARGO_TARGET_DIR", dir.join("target"));
        println!("$ {build:?}");
        if !build.status().map_err(|e| format!("cargo: {e}"))?.success() {
            return Err(format!("building the baseline {baseline} in {src_arg} failed"));
        }
        std::fs::write(&stamp, baseline).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    let name = format!("baseline-{}", &baseline[..7.min(baseline.len())]);
    let s = crate::sizes::measure(&name, &pkg)?;
    Ok(format!("bench bytes {} raw_bytes={} gzip_bytes={}", s.name, s.wasm + s.glue, s.gzip))
}
