//! `cargo xtask fuzz [--seconds N] [TARGET…]`: runs the cargo-fuzz targets in
//! `fuzz/` (manifest, config, record, boot, json) for N seconds each (default 60)
//! with the nightly toolchain, and prints each target's executions. A crash
//! fails the command and leaves its input in `fuzz/artifacts/<target>/`.

use std::process::Command;

use crate::tools::run;

const TARGETS: &[&str] = &["manifest", "config", "record", "boot", "json", "origin"];

/// Runs the fuzz targets.
pub fn run_all(args: &[String]) -> Result<(), String> {
    let mut seconds = 60u64;
    let mut targets: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => seconds = it.next().and_then(|s| s.parse().ok()).ok_or("--seconds needs a number")?,
            t if TARGETS.contains(&t) => targets.push(TARGETS.iter().find(|x| **x == t).copied().unwrap_or(t)),
            other => return Err(format!("unknown argument {other:?}; targets: {}", TARGETS.join(", "))),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    let has = |args: &[&str]| Command::new(args[0]).args(&args[1..]).output().is_ok_and(|o| o.status.success());
    if !has(&["rustup", "run", "nightly", "rustc", "--version"]) {
        run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    if !has(&["cargo", "fuzz", "--version"]) {
        run(Command::new("cargo").args(["install", "--locked", "cargo-fuzz"]))?;
    }
    let dir = crate::root().join("fuzz");
    let mut summary = Vec::new();
    for t in targets {
        std::fs::create_dir_all(dir.join("corpus").join(t)).map_err(|e| e.to_string())?;
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "-O", t])
            .arg(format!("corpus/{t}"))
            .arg(format!("seeds/{t}"))
            .args(["--", &format!("-max_total_time={seconds}"), "-rss_limit_mb=2048", "-print_final_stats=1"])
            .current_dir(&dir)
            .output()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let runs =
            log.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")).map(str::trim).unwrap_or("?");
        let verdict = if out.status.success() { "no crash" } else { "CRASH" };
        println!("fuzz {t:<9} {seconds:>6} s {runs:>12} executions  {verdict}");
        if !out.status.success() {
            eprintln!(
                "{}",
                log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        summary.push((t, out.status.success()));
    }
    match summary.iter().find(|(_, ok)| !ok) {
        Some((t, _)) => Err(format!("fuzz target {t} crashed; its input is in fuzz/artifacts/{t}/")),
        None => Ok(()),
    }
}
