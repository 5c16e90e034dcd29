//! `desk-loader-bench [--quick]`: the figures, printed side by side in one
//! run, written to `target/bench/results.json` and `BENCHMARKS.md`
//! (`table.rs`). Only the size budget can fail it; speed figures are
//! reported, never asserted.

use std::process::Command;

use crate::sizes;

/// Runs the benchmarks, on the packages `cargo xtask build` built.
pub fn run(quick: bool) -> Result<(), String> {
    // The browser half's server and display, which `cargo xtask bench` starts.
    for (var, what) in [("BASE_URL", "the test server's URL"), ("DISPLAY", "an X display for WebKit")] {
        if std::env::var_os(var).is_none() {
            return Err(format!("{var} ({what}) is not set: run the bench with `cargo xtask bench`"));
        }
    }
    // A developer's partial run: the parts of tests/e2e/bench.js to run.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let root = crate::root();
    let cfg = sizes::config()?;
    // What is measured: the commit the build was made from.
    let commit = built_from(&root);
    let mut sizes = Vec::new();
    let mut weights = String::new();
    for b in &cfg.build {
        sizes.push(sizes::measure(&b.name, &root.join(&b.out_dir))?);
        let w = sizes::weigh(b)?;
        let parts = sizes::part_sizes(&b.name, &w)?;
        sizes::print_weight(&b.name, &w, &parts);
        weights.push_str(&crate::table::weight(&b.name, &w, &parts));
    }

    let mut figures: Vec<String> = Vec::new();
    let mut native = crate::cargo();
    // An example, not a `cargo bench` target: benches also build the CLI binary,
    // which the wasm-oriented release profile (LTO, cdylib) cannot link beside them.
    native.args(["run", "--quiet", "--release", "--example", "bench_validate", "--"]);
    if quick {
        native.arg("--quick");
    }
    figures.extend(bench_lines(&mut native)?);

    // The function bodies of the module the pages load, for `wasm-compile-at-boot`.
    let page_build = cfg.build.iter().find(|b| b.out_dir == "www/pkg").ok_or("no [[build]] writes www/pkg")?;
    let shipped = root.join(&page_build.out_dir).join("desk_loader_bg.wasm");
    let module = crate::weight::analyse(&std::fs::read(&shipped).map_err(|e| format!("{}: {e}", shipped.display()))?)?;
    let functions = root.join("target/bench/wasm-functions.json");
    std::fs::create_dir_all(root.join("target/bench")).map_err(|e| e.to_string())?;
    let bodies = module.bodies.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
    std::fs::write(&functions, format!(r#"{{"imports":{},"bodies":[{bodies}]}}"#, module.imported_functions))
        .map_err(|e| format!("{}: {e}", functions.display()))?;

    // The realistic panel, beside the demo's toy one.
    let [js, css] = crate::heavy::write(&root.join("target/bench/heavy"))?;
    figures.push(format!("bench heavy-panel panel.js raw_bytes={} gzip_bytes={}", js.0, js.1));
    figures.push(format!("bench heavy-panel panel.css raw_bytes={} gzip_bytes={}", css.0, css.1));
    println!("heavy panel: panel.js {} B ({} B gzip), panel.css {} B ({} B gzip)", js.0, js.1, css.0, css.1);

    // The build issue 18 measured, for `boot-phases-100ms`'s before and after
    // (built only when that part runs: a developer's `BENCH_ONLY` may skip it).
    if only.is_empty() || only.split(',').any(|part| part == "bootPhases") {
        figures.push(crate::baseline::build()?);
    }

    // The browser half, against the test server at BASE_URL.
    let mut browser = Command::new("node");
    browser.arg("bench.js").current_dir(root.join("tests/e2e")).env("WASM_FUNCTIONS", &functions);
    if quick {
        browser.arg("--quick");
    }
    figures.extend(bench_lines(&mut browser)?);

    let (table, json) = crate::table::render(&figures, &sizes, cfg.budget.gzip_bytes)?;
    println!("\n{table}");
    let size_json: Vec<String> = sizes
        .iter()
        .map(|s| format!(r#"{{"build":"{}","wasm":{},"glue":{},"gzip":{}}}"#, s.name, s.wasm, s.glue, s.gzip))
        .collect();
    let results = format!(r#"{{"quick":{quick},"sizes":[{}],"figures":[{}]}}"#, size_json.join(","), json.join(","));
    std::fs::write(root.join("target/bench/results.json"), results).map_err(|e| e.to_string())?;
    // A developer's partial run (`BENCH_ONLY`, tests/e2e/bench.js), or one
    // against another baseline (`BENCH_BASELINE`), leaves BENCHMARKS.md as it is.
    if !only.is_empty() || crate::baseline::chosen().is_some() {
        println!("BENCH_ONLY or BENCH_BASELINE is set: BENCHMARKS.md is left as it is");
    } else {
        crate::table::write_benchmarks_md(&table, &weights, &commit, quick)?;
    }

    if let Some(s) = sizes.iter().find(|s| s.gzip > cfg.budget.gzip_bytes) {
        return Err(format!(
            "package {} is {} B gzip, over the budget of {} B in wasm-pack.toml",
            s.name, s.gzip, cfg.budget.gzip_bytes
        ));
    }
    Ok(())
}

/// Runs a command and keeps the lines that start with `bench `.
fn bench_lines(cmd: &mut Command) -> Result<Vec<String>, String> {
    let shown = format!("{cmd:?}");
    println!("$ {shown}");
    let out = cmd.output().map_err(|e| format!("{shown}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("{shown}: {}\n{text}{}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    let lines: Vec<String> = text.lines().filter(|l| l.starts_with("bench ")).map(str::to_owned).collect();
    for l in &lines {
        println!("{l}");
    }
    Ok(lines)
}

/// The commit the working tree is at, `abc1234`, and whether it has
/// uncommitted changes, for BENCHMARKS.md's header.
fn built_from(root: &std::path::Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match (git(&["rev-parse", "--short", "HEAD"]), git(&["status", "--porcelain", "--untracked-files=no"])) {
        (Some(commit), Some(changes)) if changes.is_empty() => commit,
        (Some(commit), Some(_)) => format!("{commit} with uncommitted changes"),
        _ => "an unknown commit (no git)".to_owned(),
    }
}
