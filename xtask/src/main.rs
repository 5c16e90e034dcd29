//! `cargo xtask`: the project's build, demo and test commands, in Rust instead
//! of shell scripts (the rust-analyzer pattern): dispatch and chores. The
//! tools it runs live in their own crates: the test server (`tests/server`),
//! the bench harness (`bench/`) and the glue rewriter (`glue/`).
//!
//! - `cargo xtask demo [--port N]`: install what is missing, build the
//!   packages declared in `wasm-pack.toml`, serve `www/` on 127.0.0.1 (the
//!   test server, as a child process).
//! - `cargo xtask test`: install what is missing, then fmt, clippy (native and
//!   wasm32), native tests, browser tests (wasm-bindgen-test) and the
//!   end-to-end suite (Playwright on Debian Chromium). Fails if any part fails
//!   or runs zero tests.
//! - `cargo xtask build`: build the packages only.
//! - `cargo xtask bench [--quick]`: build, then sizes and speed figures, side by side (`bench/`); see `BENCHMARKS.md`.
//! - `cargo xtask fuzz [--seconds N] [TARGET…]`: the cargo-fuzz targets in `fuzz/`.
//! - `cargo xtask weight`: build, then show what each package's wasm is made of (per crate, largest functions).
//! - `cargo xtask sri`: rewrite the `integrity` of local assets in `www/**/manifest*.json`.

mod dist;
mod fuzz;
mod packages;
mod panels;
mod server;
mod sri;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test::run(),
        Some("dist") => dist::main(&args[1..]),
        Some("build") => tools::ensure_build_tools().and_then(|()| packages::build_all()),
        Some("weight") => weight(),
        Some("sri") => sri::run(),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz::run_all(&args[1..]),
        Some("panels") => build_panels(),
        _ => Err("usage: cargo xtask demo [--port N] | test | build | dist [--site] | panels | bench [--quick] | weight | fuzz [--seconds N] [TARGET...] | sri".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo(args: &[String]) -> Result<(), String> {
    let mut port = 8080u16;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                port = it.next().and_then(|p| p.parse().ok()).ok_or("--port needs a number from 0 to 65535")?;
            }
            other => return Err(format!("unknown argument {other:?}; usage: cargo xtask demo [--port N]")),
        }
    }
    tools::ensure_build_tools()?;
    packages::build_all()?;
    build_panels()?;
    let server = server::Server::start(port, true)?;
    println!("\ndesk-loader demo: http://{}/  (Ctrl-C to stop; default port 8080, change with --port N)", server.addr);
    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
    let _ = rx.recv();
    println!("\nstopping the demo server");
    drop(server);
    Ok(())
}

/// The framework panels (`panels.rs`), with the native CLI built for them.
fn build_panels() -> Result<(), String> {
    tools::run(cargo().args(["build", "-p", "desk-loader-cli", "--bin", "desk-loader"]))?;
    panels::build(&target_dir().join("debug/desk-loader"))
}

/// `cargo xtask bench [--quick]`: the bench harness (`bench/`), run on a
/// fresh build with the test server and an X display of its own (WebKit's
/// MiniBrowser has no headless mode) for its browser half.
fn bench(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.iter().find(|a| *a != "--quick") {
        return Err(format!("unknown argument {other:?}; usage: cargo xtask bench [--quick]"));
    }
    tools::ensure_test_tools()?;
    tools::ensure_brotli()?;
    packages::build_all()?;
    let server = server::Server::start(0, false)?;
    let display = test::Xvfb::start()?;
    tools::run(bench_harness(args).env("BASE_URL", format!("http://{}", server.addr)).env("DISPLAY", &display.name))
}

/// `cargo xtask weight`: build, then show what each package's wasm is made
/// of (`desk-loader-bench weight`).
fn weight() -> Result<(), String> {
    tools::ensure_build_tools()?;
    packages::build_all()?;
    tools::run(&mut bench_harness(&["weight".to_owned()]))
}

/// The bench harness (`bench/`, `desk-loader-bench`) with `args`.
pub fn bench_harness(args: &[String]) -> Command {
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", "desk-loader-bench", "--"]).args(args);
    cmd
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Where cargo writes its output: `CARGO_TARGET_DIR` when set, else `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), |d| root().join(d))
}

/// A cargo command (the cargo that runs xtask), in the workspace root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}
