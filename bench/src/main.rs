//! `desk-loader-bench`: the bench harness, a tool beside the product, never
//! shipped. It measures what `cargo xtask build` built; it builds nothing of
//! the product itself, except the baseline commit it compares with.
//!
//! - `desk-loader-bench [--quick]`: every figure, printed side by side in one
//!   run, written to `target/bench/results.json` and into BENCHMARKS.md's
//!   marked sections (`run.rs`). Its browser half, `tests/e2e/bench.js`,
//!   needs the test server at `BASE_URL` and an X display at `DISPLAY`
//!   (WebKit's MiniBrowser has no headless mode). Only the size budget can
//!   fail it; speed figures are reported, never asserted.
//! - `desk-loader-bench weight`: what each package's module is made of (per
//!   part, per crate, the largest functions), then the `[weight].forbidden`
//!   check.
//! - `desk-loader-bench forbidden`: the `[weight].forbidden` check alone.
//!
//! `cargo xtask bench [--quick]`, `cargo xtask weight` and `cargo xtask test`
//! run it after building the packages: xtask installs the tools, builds, and
//! for the bench starts the test server (`tests/server`) and Xvfb.
//!
//! It reads what the build leaves: the packages in each `[[build]]`'s
//! `out-dir` of `wasm-pack.toml`, and each module as wasm-bindgen wrote it,
//! names kept, in `target/weight/<build>.wasm` (`sizes.rs`).

mod baseline;
mod heavy;
mod run;
mod sizes;
mod table;
mod weight;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: desk-loader-bench [--quick] | weight | forbidden";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => run::run(false),
        ["--quick"] => run::run(true),
        ["weight"] => weigh_all(true),
        ["forbidden"] => weigh_all(false),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("desk-loader-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Weighs each package's module; with `show`, prints what it is made of.
/// Fails if one contains a function `[weight].forbidden` names.
fn weigh_all(show: bool) -> Result<(), String> {
    for b in &sizes::config()?.build {
        let w = sizes::weigh(b)?;
        if show {
            sizes::print_weight(&b.name, &w, &sizes::part_sizes(&b.name, &w)?);
        }
        sizes::check_forbidden(&b.name, &w)?;
    }
    Ok(())
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the bench lives in the workspace").to_path_buf()
}

/// A cargo command (the cargo that runs the bench), in the workspace root.
fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command, showing it, and returns what it printed on standard
/// output; fails with its name if it cannot start or exits non-zero.
fn output(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    println!("$ {shown}");
    let out = cmd.stderr(std::process::Stdio::inherit()).output().map_err(|e| format!("{shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{shown}: {}", out.status));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{shown} printed something that is not UTF-8"))
}
