//! `desk-loader-test-server`: the demo and test server, a tool beside the
//! tests, never shipped.
//!
//! It serves `www/` on 127.0.0.1 as a production server would (ETags,
//! `no-cache`, an immutable per-build path), takes the loader's reports, and
//! opens a *test plan* per end-to-end test on a port of its own: faults,
//! latency, page hooks and the log of requests and reports (`plan.rs`), the
//! same in every engine. `serve.rs` says what each path serves; `http.rs` is
//! the HTTP/1.1 server under it.
//!
//! `cargo xtask demo`, `cargo xtask test` and `cargo xtask bench` build it
//! (`cargo build -p desk-loader-test-server`) and run it as a child process;
//! the end-to-end suite (`tests/e2e/desk.js`) and the bench's browser half
//! (`tests/e2e/bench.js`) reach it through `BASE_URL`. Run by hand:
//!
//! ```text
//! desk-loader-test-server [--port N] [--print-reports] [--until-stdin-closes]
//! ```
//!
//! - `--port N`: the port on 127.0.0.1 (default 0: a free one).
//! - `--print-reports`: print each report received (the demo's console).
//! - `--until-stdin-closes`: exit when standard input closes, so that the
//!   server never outlives the process that started it, however that ends.
//!
//! Its first line on standard output is `listening on http://127.0.0.1:N`,
//! which the parent reads to find the port; errors go to standard error.

mod http;
mod plan;
mod serve;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: desk-loader-test-server [--port N] [--print-reports] [--until-stdin-closes]";

fn main() -> ExitCode {
    let mut port = 0u16;
    let mut print_reports = false;
    let mut until_stdin_closes = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => return fail("--port needs a number from 0 to 65535"),
            },
            "--print-reports" => print_reports = true,
            "--until-stdin-closes" => until_stdin_closes = true,
            other => return fail(&format!("unknown argument {other:?}; {USAGE}")),
        }
    }
    let addr = match serve::start(&root(), port, print_reports) {
        Ok(addr) => addr,
        Err(e) => return fail(&e),
    };
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    if until_stdin_closes {
        // Read until end of file: the parent closed its end, or is gone.
        let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
        return ExitCode::SUCCESS;
    }
    loop {
        std::thread::park();
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("desk-loader-test-server: {message}");
    ExitCode::FAILURE
}

/// The repository's root: `www/` and `target/` are under it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the server lives in tests/server")
}
