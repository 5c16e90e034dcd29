//! `cargo xtask bench [--quick]`: figures, printed side by side in one run,
//! written to `target/bench/results.json` and `BENCHMARKS.md`. Only the size
//! budget can fail it; speed figures are reported, never asserted.

use std::fmt::Write as _;
use std::process::Command;

use crate::packages;
use crate::server::Server;
use crate::tools;

/// Runs the benchmarks.
pub fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    // A developer's partial run: the parts of tests/e2e/bench.js to run.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if let Some(other) = args.iter().find(|a| *a != "--quick") {
        return Err(format!("unknown argument {other:?}; usage: cargo xtask bench [--quick]"));
    }
    tools::ensure_test_tools()?;
    tools::ensure_brotli()?;
    let root = crate::root();
    let cfg = packages::config()?;
    // What is measured: read before the build, which is what runs.
    let commit = built_from(&root);
    let sizes = packages::build_all()?;
    let mut weights = String::new();
    for b in &cfg.build {
        let w = packages::weigh(b)?;
        let parts = packages::part_sizes(&b.name, &w)?;
        packages::print_weight(&b.name, &w, &parts);
        let _ = writeln!(
            weights,
            "\n### Package `{}`: {} B of code, {} B of data (with names kept, before stripping)\n\n\
             By part, each compressed alone (parts compress a little better together):\n\n\
             | part | holds | raw | gzip -9 |\n|---|---|---:|---:|",
            b.name,
            w.code,
            w.data()
        );
        for (part, holds, raw, gz) in &parts {
            let _ = writeln!(weights, "| {part} | {holds} | {raw} B | {gz} B |");
        }
        let _ = writeln!(weights, "\n| code bytes | share | crate or module |\n|---:|---:|---|");
        for (group, bytes) in w.groups.iter().filter(|(_, bytes)| *bytes * 50 >= w.code) {
            let _ = writeln!(weights, "| {bytes} | {:.1} % | `{group}` |", *bytes as f64 * 100.0 / w.code as f64);
        }
        let _ = writeln!(weights, "\nLargest functions:\n\n| code bytes | function |\n|---:|---|");
        for (f, bytes) in w.functions.iter().take(10) {
            let _ = writeln!(weights, "| {bytes} | `{}` |", f.replace('|', "\\|"));
        }
    }

    let mut figures: Vec<String> = Vec::new();
    let mut native = Command::new("cargo");
    // An example, not a `cargo bench` target: benches also build the CLI binary,
    // which the wasm-oriented release profile (LTO, cdylib) cannot link beside them.
    native.args(["run", "--quiet", "--release", "--example", "bench_validate", "--"]).current_dir(&root);
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
        figures.push(baseline()?);
    }

    let server = Server::start(0, false)?;
    // WebKit's MiniBrowser has no headless mode (`boot-100ms-server`).
    let display = crate::test::Xvfb::start()?;
    let mut browser = Command::new("node");
    browser
        .arg("bench.js")
        .current_dir(root.join("tests/e2e"))
        .env("BASE_URL", format!("http://{}", server.addr))
        .env("DISPLAY", &display.name)
        .env("WASM_FUNCTIONS", &functions);
    if quick {
        browser.arg("--quick");
    }
    let browser_lines = bench_lines(&mut browser);
    drop(server);
    figures.extend(browser_lines?);

    // The table.
    let mut table = String::new();
    let _ = writeln!(table, "| group | figure | value |\n|---|---|---|");
    for s in &sizes {
        let brotli = packages::brotli_len(&root.join(&s.out_dir))?;
        let _ = writeln!(
            table,
            "| bytes ({}) | wasm + glue raw / gzip -9 / brotli -q 11 | {} / {} / {} B (budget {} B gzip) |",
            s.name,
            s.wasm + s.glue,
            s.gzip,
            brotli,
            cfg.budget.gzip_bytes
        );
    }
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for f in ["www/boot.js", "www/unavailable.js", "www/desk-loader.css"] {
        let path = root.join(f);
        raw += std::fs::metadata(&path).map_err(|e| format!("{f}: {e}"))?.len();
        gz += packages::gzip_len(&path)?;
        br += packages::brotli_file_len(&path)?;
    }
    let _ = writeln!(
        table,
        "| bytes (page) | boot.js + unavailable.js + desk-loader.css raw / gzip -9 / brotli -q 11 | {raw} / {gz} / {br} B (outside the budget) |"
    );
    let mut json = Vec::new();
    for line in &figures {
        let mut words = line.split_whitespace().skip(1);
        let (name, place) = (words.next().unwrap_or("?"), words.next().unwrap_or("?"));
        let pairs: Vec<(&str, &str)> = words.filter_map(|w| w.split_once('=')).collect();
        let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map_or("?", |(_, v)| v);
        if let Some((_, ratio)) = pairs.iter().find(|(k, _)| *k == "ratio") {
            let _ = writeln!(table, "| {name} | {place} | {ratio}× |");
            json.push(format!(r#"{{"name":"{name}","ratio":"{place}","value":{ratio}}}"#));
            continue;
        }
        if let Some((_, n)) = pairs.iter().find(|(k, _)| *k == "round_trips") {
            let _ = writeln!(
                table,
                "| {name} | {place}: (loader − plain at 100 ms) − (loader − plain at 0 ms), in 100 ms round trips | {n} |"
            );
            json.push(format!(r#"{{"name":"{name}","where":"{place}","round_trips":{n}}}"#));
            continue;
        }
        if let Some((_, ms)) = pairs.iter().find(|(k, _)| *k == "ms") {
            let _ = writeln!(table, "| {name} | {place} | {ms} ms |");
            json.push(format!(r#"{{"name":"{name}","where":"{place}","ms":{ms}}}"#));
            continue;
        }
        if let Some((_, b)) = pairs.iter().find(|(k, _)| *k == "bytes") {
            let _ = writeln!(table, "| {name} | {place} | {} |", kib(b));
            json.push(format!(r#"{{"name":"{name}","where":"{place}","bytes":{b}}}"#));
            continue;
        }
        if pairs.iter().any(|(k, _)| *k == "raw_bytes") {
            let (raw, gzip) = (get("raw_bytes"), get("gzip_bytes"));
            let _ = writeln!(table, "| {name} | {place} raw / gzip -9 | {raw} / {gzip} B |");
            json.push(format!(r#"{{"name":"{name}","where":"{place}","raw_bytes":{raw},"gzip_bytes":{gzip}}}"#));
            continue;
        }
        let ms = ["boot", "recovery", "report-endpoint", "heavy"].iter().any(|p| name.starts_with(p));
        if pairs.iter().any(|(k, _)| *k == "count") {
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} ({}–{}) of {} |",
                get("runs"),
                get("count"),
                get("min"),
                get("max"),
                get("of")
            );
        } else if pairs.iter().any(|(k, _)| *k == "median_bytes") {
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} ({}–{}) |",
                get("runs"),
                kib(get("median_bytes")),
                kib(get("min_bytes")),
                kib(get("max_bytes"))
            );
        } else if ms {
            let in_ms = |k: &str| get(k).parse::<f64>().map_or("?".to_owned(), |us| format!("{:.0}", us / 1000.0));
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} ms ({}–{}) |",
                get("runs"),
                in_ms("median_us"),
                in_ms("min_us"),
                in_ms("max_us")
            );
        } else {
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} µs ({}–{}) |",
                get("runs"),
                get("median_us"),
                get("min_us"),
                get("max_us")
            );
        }
        json.push(format!(
            r#"{{"name":"{name}","where":"{place}",{}}}"#,
            pairs.iter().map(|(k, v)| format!(r#""{k}":{v}"#)).collect::<Vec<_>>().join(",")
        ));
    }
    let median = |name: &str, place: &str| {
        figures.iter().find(|l| l.starts_with(&format!("bench {name} {place} "))).and_then(|l| {
            l.split_whitespace().find_map(|w| w.strip_prefix("median_us=")).and_then(|v| v.parse::<f64>().ok())
        })
    };
    for name in ["validate-50", "validate-500", "validate-5000"] {
        if let (Some(n), Some(c)) = (median(name, "native"), median(name, "chromium")) {
            let _ = writeln!(table, "| {name} | chromium / native ratio | {:.2}× |", c / n);
        }
    }
    println!("\n{table}");

    let size_json: Vec<String> = sizes
        .iter()
        .map(|s| format!(r#"{{"build":"{}","wasm":{},"glue":{},"gzip":{}}}"#, s.name, s.wasm, s.glue, s.gzip))
        .collect();
    let results = format!(r#"{{"quick":{quick},"sizes":[{}],"figures":[{}]}}"#, size_json.join(","), json.join(","));
    std::fs::create_dir_all(root.join("target/bench")).map_err(|e| e.to_string())?;
    std::fs::write(root.join("target/bench/results.json"), results).map_err(|e| e.to_string())?;
    // A developer's partial run (`BENCH_ONLY`, tests/e2e/bench.js) leaves BENCHMARKS.md as it is.
    if !only.is_empty() {
        println!("BENCH_ONLY is set: BENCHMARKS.md is left as it is");
    } else {
        write_benchmarks_md(&table, &weights, &commit, quick)?;
    }

    if let Some(s) = sizes.iter().find(|s| s.gzip > cfg.budget.gzip_bytes) {
        return Err(format!(
            "package {} is {} B gzip, over the budget of {} B in wasm-pack.toml",
            s.name, s.gzip, cfg.budget.gzip_bytes
        ));
    }
    Ok(())
}

/// The commit whose build is the main-thread baseline: the last of
/// 2026-11-30, the build issue 18 measured (33 ms of loader work between the
/// files' arrival and ready; 80,403 B gzip).
const BASELINE: &str = "350aacc789db44864dcb2e6d1be3b69859545027";

/// Where [`BASELINE`]'s `www/` is built, under `target/bench/`: the test
/// server serves it at `/__bench/baseline/src/www/` (its `desk-fast.html`,
/// `boot.js`, module and panels, all linked relatively).
fn baseline_www() -> std::path::PathBuf {
    crate::root().join("target/bench/baseline/src/www")
}

/// Builds [`BASELINE`] once (again if `BASELINE` changes: a stamp keeps the
/// commit built), from `git archive` with its own xtask and
/// `wasm-pack.toml`, into [`baseline_www`]. Returns its size figure,
/// measured as `cargo xtask build` measures today's.
fn baseline() -> Result<String, String> {
    let www = baseline_www();
    let src = www.parent().ok_or("baseline path")?.to_path_buf();
    let dir = src.parent().ok_or("baseline path")?.to_path_buf();
    let stamp = dir.join("commit");
    let pkg = www.join("pkg");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(BASELINE) {
        let root = crate::root();
        let git = |args: &[&str]| {
            println!("$ git {}", args.join(" "));
            Command::new("git").args(args).current_dir(&root).status().map_err(|e| format!("git: {e}"))
        };
        if !git(&["cat-file", "-e", &format!("{BASELINE}^{{commit}}")])?.success() {
            return Err(format!(
                "the baseline commit {BASELINE} is not in this clone (a shallow one?): `git fetch --unshallow`"
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
        let tar = dir.join("src.tar");
        let (tar_arg, src_arg) = (tar.to_string_lossy().into_owned(), src.to_string_lossy().into_owned());
        if !git(&["archive", "--output", &tar_arg, BASELINE])?.success() {
            return Err(format!("git archive {BASELINE} failed"));
        }
        let unpacked = Command::new("tar").args(["-xf", &tar_arg, "-C", &src_arg]).status();
        if !unpacked.map_err(|e| format!("tar: {e}"))?.success() || !src.join("Cargo.toml").is_file() {
            return Err(format!("unpacking {} into {src_arg} failed", tar.display()));
        }
        let mut build = Command::new("cargo");
        build
            .args(["run", "--quiet", "-p", "xtask", "--", "build"])
            .current_dir(&src)
            .env("CARGO_TARGET_DIR", dir.join("target"));
        println!("$ {build:?}");
        if !build.status().map_err(|e| format!("cargo: {e}"))?.success() {
            return Err(format!("building the baseline {BASELINE} in {src_arg} failed"));
        }
        std::fs::write(&stamp, BASELINE).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    let name = format!("baseline-{}", &BASELINE[..7]);
    let build = packages::Build { name, target: "web".to_owned(), out_dir: pkg.to_string_lossy().into_owned() };
    let s = packages::measure(&build, &pkg)?;
    Ok(format!("bench bytes {} raw_bytes={} gzip_bytes={}", s.name, s.wasm + s.glue, s.gzip))
}

/// `123456` → `120.6 KB` (KiB, as the size budget).
fn kib(bytes: &str) -> String {
    bytes.parse::<f64>().map_or("?".to_owned(), |b| format!("{:.1} KB", b / 1024.0))
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

/// Fills BENCHMARKS.md's two marked sections, `<!-- bench: run -->` (when
/// and where, and the table of figures) and `<!-- bench: weight -->` (what
/// the module is made of); the prose around them, which says what each
/// figure measures, and the size history are written by hand.
fn write_benchmarks_md(table: &str, weights: &str, commit: &str, quick: bool) -> Result<(), String> {
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let run = format!(
        "Written by `cargo xtask bench{}` on {date}, built from {commit}, on {cores} cores of {cpu}; Chromium, Firefox ESR and WebKitGTK from Debian. \
         Reproduce with `cargo xtask bench` (or `--quick`); raw figures are in `target/bench/results.json`.\n\n{}",
        if quick { " --quick" } else { "" },
        table.trim()
    );
    let path = crate::root().join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = fill(&text, "run", &run)?;
    let text = fill(&text, "weight", weights.trim())?;
    std::fs::write(path, text).map_err(|e| e.to_string())
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

/// `text` with what stands between `<!-- bench: NAME -->` and the next
/// `<!-- bench: end -->` replaced by `content`.
fn fill(text: &str, name: &str, content: &str) -> Result<String, String> {
    let start = format!("<!-- bench: {name} -->");
    let end = "<!-- bench: end -->";
    let a = text.find(&start).ok_or_else(|| format!("BENCHMARKS.md has no {start} marker"))? + start.len();
    let b = a + text[a..].find(end).ok_or_else(|| format!("BENCHMARKS.md: {start} has no {end} after it"))?;
    Ok(format!("{}\n{content}\n{}", &text[..a], &text[b..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fill_replaces_only_the_marked_section() {
        let text = "prose\n<!-- bench: run -->\nold\n<!-- bench: end -->\nmore\n<!-- bench: weight -->\nw\n<!-- bench: end -->\n";
        let filled = super::fill(text, "run", "new").unwrap();
        assert_eq!(filled, "prose\n<!-- bench: run -->\nnew\n<!-- bench: end -->\nmore\n<!-- bench: weight -->\nw\n<!-- bench: end -->\n");
        assert!(super::fill("no markers", "run", "x").is_err());
    }
}
