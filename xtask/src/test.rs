//! `cargo xtask test`: every check, in order, failing on the first failure
//! or on any part that ran zero tests. Ends with one `N passed, N failed` line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::serve::Server;
use crate::tools;

/// Runs everything.
pub fn run() -> Result<(), String> {
    tools::ensure_test_tools()?;
    let root = crate::root();
    let cargo = || {
        let mut c = Command::new("cargo");
        c.current_dir(&root);
        c
    };
    tools::run(cargo().args(["fmt", "--all", "--check"]))?;
    tools::run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    tools::run(cargo().args([
        "clippy",
        "--lib",
        "--tests",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;

    let mut parts: Vec<(&str, u64)> = Vec::new();
    let native = counted(cargo().args(["test", "--workspace"]), cargo_passed)?;
    parts.push(("native (cargo test)", native));

    let browser = counted(
        Command::new("wasm-pack").args(["test", "--headless", "--chrome", "--", "--test", "web"]).current_dir(&root),
        cargo_passed,
    )?;
    parts.push(("browser (wasm-bindgen-test)", browser));

    crate::packages::build_all()?;
    for b in &crate::packages::config()?.build {
        crate::packages::check_forbidden(&b.name, &crate::packages::weigh(b)?)?;
    }
    let matrix = root.join("target/e2e/matrix.jsonl");
    let _ = std::fs::remove_file(&matrix);
    let server = Server::start(0, false)?;
    let e2e = counted(
        Command::new("npx")
            .args(["playwright", "test"])
            .current_dir(root.join("tests/e2e"))
            .env("BASE_URL", format!("http://{}", server.addr)),
        playwright_passed,
    );
    server.stop();
    print_matrix(&matrix);
    parts.push(("end-to-end (Playwright)", e2e?));

    println!("\nsummary");
    for (name, n) in &parts {
        println!("  {name:<30} {n:>5} passed");
    }
    if let Some((name, _)) = parts.iter().find(|(_, n)| *n == 0) {
        return Err(format!("{name} ran no test"));
    }
    println!("{} passed, 0 failed", parts.iter().map(|(_, n)| n).sum::<u64>());
    Ok(())
}

/// Prints the fault matrix's results as a table: scenario, outcome, time.
fn print_matrix(path: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let mut rows: Vec<serde_json::Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    rows.sort_by_key(|r| (r["group"].as_str().unwrap_or("").to_owned(), r["name"].as_str().unwrap_or("").to_owned()));
    println!("\nfault matrix ({} runs)", rows.len());
    println!("  {:<13} {:<28} {:<40} {:>8} {:>8}", "group", "scenario", "outcome", "ms", "bound");
    for r in rows {
        let outcome = match r["state"].as_str() {
            Some("ready") => format!("ready on {}", r["release"].as_str().unwrap_or("?")),
            Some("failed") => format!("error screen {}", r["code"].as_str().unwrap_or("?")),
            other => format!("{other:?}"),
        };
        println!(
            "  {:<13} {:<28} {:<40} {:>8} {:>8}",
            r["group"].as_str().unwrap_or(""),
            r["name"].as_str().unwrap_or(""),
            outcome,
            r["ms"],
            r["bound"]
        );
    }
}

/// Runs a command, echoing its output, and returns the passed-test count
/// read from it; fails if the command fails.
fn counted(cmd: &mut Command, count: fn(&str) -> Option<u64>) -> Result<u64, String> {
    let shown = format!("{cmd:?}");
    println!("$ {shown}");
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("{shown}: could not start: {e}"))?;
    let mut total = 0;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            total += count(&line).unwrap_or(0);
        }
    }
    let status = child.wait().map_err(|e| format!("{shown}: {e}"))?;
    if !status.success() {
        return Err(format!("{shown}: {status}"));
    }
    Ok(total)
}

/// `test result: ok. 12 passed; 0 failed; …` from libtest and wasm-bindgen-test.
fn cargo_passed(line: &str) -> Option<u64> {
    let rest = line.trim().strip_prefix("test result: ok. ")?;
    rest.split(' ').next()?.parse().ok()
}

/// `  12 passed (3.4s)` from Playwright's list reporter.
fn playwright_passed(line: &str) -> Option<u64> {
    let mut words = line.split_whitespace();
    let n = words.next()?.parse().ok()?;
    (words.next()? == "passed").then_some(n)
}
