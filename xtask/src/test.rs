//! `cargo xtask test`: every check, in Chromium, Firefox and WebKit.
//!
//! fmt and clippy stop the run at once. The test layers all run, whatever
//! failed before them, so that the summary is whole: native tests, the
//! wasm-bindgen tests in each engine, then the end-to-end suite (Playwright
//! drives Chromium and Firefox, WebDriver drives WebKit's MiniBrowser, under
//! an Xvfb display of its own). The run ends with one line per engine,
//! `chromium: N passed, M failed` (its wasm-bindgen and end-to-end tests),
//! then `N passed, M failed` for everything; it fails if any test failed or
//! if a layer or an engine ran none.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::server::Server;
use crate::tools;

/// The engines, as wasm-pack's flags and Playwright's project names say them.
pub const ENGINES: [Engine; 3] = [
    Engine { name: "chromium", wasm_pack: &["--chrome"] },
    Engine { name: "firefox", wasm_pack: &["--firefox"] },
    // MiniBrowser, started by WebKitWebDriver (the runner sends empty capabilities).
    Engine { name: "webkit", wasm_pack: &["--safari", "--safaridriver", "/usr/bin/WebKitWebDriver"] },
];

/// A browser engine the suite runs in.
pub struct Engine {
    /// Its name in the summary and as a Playwright project.
    pub name: &'static str,
    /// `wasm-pack test`'s flags for it.
    pub wasm_pack: &'static [&'static str],
}

/// Passed and failed counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Count {
    passed: u64,
    failed: u64,
}

impl std::ops::AddAssign for Count {
    fn add_assign(&mut self, other: Count) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// Runs everything.
pub fn run() -> Result<(), String> {
    tools::ensure_test_tools()?;
    let root = crate::root();
    let cargo = crate::cargo;
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
    // The fuzz targets (their own workspace, run with nightly by `cargo xtask
    // fuzz`) still compile against the core: a target that does not is a test
    // that cannot run.
    tools::run(cargo().args(["check", "--manifest-path", "fuzz/Cargo.toml", "--bins"]))?;

    let native = counted(cargo().args(["test", "--workspace"]), libtest_count);
    // What SREs copy from docs/operations.md, against the real schemas (and
    // the end-to-end suite's OTLP check needs the same Python).
    let python = tools::ensure_python()?;
    let operations = counted(
        Command::new(&python).arg("tests/ops/check.py").args(["docs", "docs/operations.md"]).current_dir(&root),
        python_count,
    );

    crate::packages::build_all()?;
    tools::run(&mut crate::bench_harness(&["forbidden".to_owned()]))?;
    crate::packages::check_feature_probe()?;

    // The integrators' kit: the declarations compile and catch a lost field;
    // the package installs and bundles (dist.spec.js boots the result).
    let (passed, failed) = crate::dist::check_types();
    let types = Count { passed, failed };
    crate::dist::build_site(&crate::dist::pack()?)?;

    // WebKit's MiniBrowser has no headless mode: it runs on this display.
    let display = Xvfb::start()?;
    let mut engines: Vec<(&str, Count)> = Vec::new();
    for engine in &ENGINES {
        let mut wasm_pack = Command::new("wasm-pack");
        wasm_pack
            .arg("test")
            .arg("--headless")
            .args(engine.wasm_pack)
            .args(["--", "--test", "web"])
            .current_dir(&root)
            .env("DISPLAY", &display.name)
            // A hang detector: the runner's own default (20 s) is missed by a busy machine's first compile.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
        engines.push((engine.name, counted(&mut wasm_pack, libtest_count)));
    }

    let matrix = root.join("target/e2e/matrix.jsonl");
    let report = root.join("target/e2e/results.json");
    let _ = std::fs::remove_file(&matrix);
    let _ = std::fs::remove_file(&report);
    // Framework panels built by Vite, their releases written by the CLI
    // `cargo test` built (frameworks.spec.js boots them).
    crate::panels::build(&crate::target_dir().join("debug/desk-loader"))?;
    let server = Server::start(0, false)?;
    // The preflight two ways, native and from the installed package under
    // Node, against each other and against the test server's plans.
    let cli = counted(
        Command::new("node")
            .args(["--test", "tests/node/cli.test.mjs"])
            .current_dir(&root)
            .env("BASE_URL", format!("http://{}", server.addr))
            // `cargo test` above built it, where cargo puts its output.
            .env("DESK_LOADER_NATIVE", crate::target_dir().join("debug/desk-loader"))
            .env("DESK_LOADER_NODE", root.join("target/dist/scratch/node_modules/.bin/desk-loader")),
        node_count,
    );
    let playwright = counted(
        Command::new("npx")
            .args(["playwright", "test"])
            .current_dir(root.join("tests/e2e"))
            .env("BASE_URL", format!("http://{}", server.addr))
            .env("DISPLAY", &display.name),
        |_| None,
    );
    drop(server);
    drop(display);
    print_matrix(&matrix);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        update_screenshots(&root);
    }
    let e2e = playwright_counts(&report);
    for (engine, count) in &mut engines {
        let own = e2e.iter().find(|(project, _)| project == engine).map(|(_, c)| *c).unwrap_or_default();
        *count += own;
    }
    // A Playwright run that failed before writing its report counts as one failure.
    let e2e_lost =
        Count { passed: 0, failed: u64::from(playwright.failed > 0 && e2e.iter().all(|(_, c)| c.failed == 0)) };

    println!("\nsummary");
    println!("  native (cargo test): {} passed, {} failed", native.passed, native.failed);
    println!("  operations docs (tests/ops/check.py): {} passed, {} failed", operations.passed, operations.failed);
    println!("  types (tsc --strict on examples/): {} passed, {} failed", types.passed, types.failed);
    println!("  preflight CLI, native and Node (tests/node/): {} passed, {} failed", cli.passed, cli.failed);
    for (engine, count) in &engines {
        println!("{engine}: {} passed, {} failed", count.passed, count.failed);
    }
    let mut total = native;
    total += operations;
    total += types;
    total += cli;
    total += e2e_lost;
    for (_, count) in &engines {
        total += *count;
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed > 0 {
        return Err(format!("{} tests failed", total.failed));
    }
    if native.passed == 0 || operations.passed == 0 || cli.passed == 0 {
        return Err("the native tests, the operations checks or the CLI tests ran no test".to_owned());
    }
    if let Some((engine, _)) = engines.iter().find(|(_, c)| c.passed == 0) {
        return Err(format!("{engine} ran no test"));
    }
    Ok(())
}

/// An X display of its own, for WebKit (the tests and the bench); stopped when dropped.
pub(crate) struct Xvfb {
    child: std::process::Child,
    /// `:N`
    pub(crate) name: String,
}

impl Xvfb {
    pub(crate) fn start() -> Result<Xvfb, String> {
        // The first display number no other X server holds.
        let n = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .ok_or("no free X display number between :90 and :199")?;
        let name = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1366x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("Xvfb: could not start: {e}"))?;
        let socket = format!("/tmp/.X11-unix/X{n}");
        for _ in 0..200 {
            if Path::new(&socket).exists() {
                println!("Xvfb on display {name}");
                return Ok(Xvfb { child, name });
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err(format!("Xvfb {name} did not open {socket} within 10 s"))
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Prints the fault matrix's results: a row per scenario, a column per engine.
fn print_matrix(path: &Path) {
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let rows: Vec<serde_json::Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let mut scenarios: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["group"].as_str().unwrap_or("").to_owned(), r["name"].as_str().unwrap_or("").to_owned()))
        .collect();
    scenarios.sort();
    scenarios.dedup();
    println!("\nfault matrix ({} runs): outcome and ms, against each scenario's bound", rows.len());
    print!("  {:<13} {:<28}", "group", "scenario");
    for engine in &ENGINES {
        print!(" {:<36}", engine.name);
    }
    println!(" {:>7}", "bound");
    for (group, name) in scenarios {
        print!("  {group:<13} {name:<28}");
        let mut bound = serde_json::Value::Null;
        for engine in &ENGINES {
            let cell = rows.iter().find(|r| r["name"] == name.as_str() && r["engine"] == engine.name).map(|r| {
                bound = r["bound"].clone();
                let outcome = match r["state"].as_str() {
                    Some("ready") => format!("ready on {}", r["release"].as_str().unwrap_or("?")),
                    Some("failed") => format!("error {}", r["code"].as_str().unwrap_or("?")),
                    other => format!("{other:?}"),
                };
                format!("{outcome} {}", r["ms"])
            });
            print!(" {:<36}", cell.unwrap_or_else(|| "-".to_owned()));
        }
        println!(" {bound:>7}");
    }
}

/// Runs a command, echoing its output, and counts the tests it reports with
/// `count`. A command that fails without reporting a failed test counts as
/// one failure: something kept its tests from running.
fn counted(cmd: &mut Command, count: fn(&str) -> Option<Count>) -> Count {
    let shown = format!("{cmd:?}");
    println!("$ {shown}");
    let mut total = Count::default();
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            println!("xtask: {shown}: could not start: {e}");
            return Count { passed: 0, failed: 1 };
        }
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(c) = count(&line) {
                total += c;
            }
        }
    }
    let ok = child.wait().is_ok_and(|s| s.success());
    if !ok {
        println!("xtask: {shown} failed");
        total.failed = total.failed.max(1);
    }
    total
}

/// `test result: ok. 12 passed; 0 failed; …` (or `FAILED.`) from libtest
/// and wasm-bindgen-test.
fn libtest_count(line: &str) -> Option<Count> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let rest = rest.strip_prefix("ok. ").or_else(|| rest.strip_prefix("FAILED. "))?;
    let mut words = rest.split([' ', ';']).filter(|w| !w.is_empty());
    let passed = words.next()?.parse().ok()?;
    (words.next()? == "passed").then_some(())?;
    let failed = words.next()?.parse().ok()?;
    Some(Count { passed, failed })
}

/// `# pass 12` and `# fail 0` from Node's test runner.
fn node_count(line: &str) -> Option<Count> {
    match line.strip_prefix("# pass ").map(str::parse) {
        Some(Ok(passed)) => Some(Count { passed, failed: 0 }),
        _ => line.strip_prefix("# fail ")?.parse().ok().map(|failed| Count { passed: 0, failed }),
    }
}

/// `14 passed` from tests/ops/check.py.
fn python_count(line: &str) -> Option<Count> {
    let passed = line.strip_suffix(" passed")?.parse().ok()?;
    Some(Count { passed, failed: 0 })
}

/// Passed and failed tests per Playwright project, from its JSON report.
fn playwright_counts(path: &Path) -> Vec<(String, Count)> {
    let Some(report) =
        std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return Vec::new();
    };
    let mut counts: Vec<(String, Count)> = Vec::new();
    fn walk(suite: &serde_json::Value, counts: &mut Vec<(String, Count)>) {
        for spec in suite["specs"].as_array().into_iter().flatten() {
            for test in spec["tests"].as_array().into_iter().flatten() {
                let project = test["projectName"].as_str().unwrap_or("").to_owned();
                let add = match test["status"].as_str() {
                    Some("expected") => Count { passed: 1, failed: 0 },
                    Some("skipped") => Count::default(),
                    // "unexpected", and "flaky" (retries are off: a flake is a failure).
                    _ => Count { passed: 0, failed: 1 },
                };
                match counts.iter_mut().find(|(p, _)| *p == project) {
                    Some((_, c)) => *c += add,
                    None => counts.push((project, add)),
                }
            }
        }
        for child in suite["suites"].as_array().into_iter().flatten() {
            walk(child, counts);
        }
    }
    for suite in report["suites"].as_array().into_iter().flatten() {
        walk(suite, &mut counts);
    }
    counts
}

/// With `UPDATE_DOCS=1`: each image in `docs/img/` is replaced by the
/// Chromium screenshot of the same name this run took (tests/tidy.rs checks
/// that a spec takes each one the README shows).
fn update_screenshots(root: &Path) {
    let Ok(images) = std::fs::read_dir(root.join("docs/img")) else { return };
    for image in images.flatten() {
        let shot = root.join("target/e2e/screenshots/chromium").join(image.file_name());
        if shot.is_file() && std::fs::copy(&shot, image.path()).is_ok() {
            println!("docs/img/{}: updated", image.file_name().to_string_lossy());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_lines_are_counted_whether_they_passed_or_not() {
        assert_eq!(
            libtest_count(
                "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s"
            ),
            Some(Count { passed: 12, failed: 0 })
        );
        assert_eq!(
            libtest_count("test result: FAILED. 8 passed; 1 failed; 0 ignored"),
            Some(Count { passed: 8, failed: 1 })
        );
        assert_eq!(libtest_count("running 12 tests"), None);
    }

    #[test]
    fn playwright_tests_are_counted_per_project() {
        let dir = crate::root().join("target/xtask-test");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("results.json");
        let report = serde_json::json!({ "suites": [{ "specs": [], "suites": [{ "specs": [{ "tests": [
            { "projectName": "chromium", "status": "expected" },
            { "projectName": "webkit", "status": "unexpected" },
            { "projectName": "webkit", "status": "skipped" },
            { "projectName": "chromium", "status": "flaky" },
        ] }] }] }] });
        std::fs::write(&file, report.to_string()).unwrap();
        assert_eq!(
            playwright_counts(&file),
            vec![
                ("chromium".to_owned(), Count { passed: 1, failed: 1 }),
                ("webkit".to_owned(), Count { passed: 0, failed: 1 })
            ]
        );
    }
}
