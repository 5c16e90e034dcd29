//! Repository rules that keep docs and data honest: every problem code is
//! documented, every Rust file starts with a `//!` doc, and the demo's
//! integrity hashes match its files.

use std::path::{Path, PathBuf};

use desk_loader_core::problem::Code;
use desk_loader_core::value::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() && !matches!(name.as_str(), "target" | "node_modules" | "pkg" | ".git") {
            files(&p, ext, out);
        } else if name.ends_with(ext) {
            out.push(p);
        }
    }
}

#[test]
fn every_problem_code_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/problems.md")).unwrap();
    for code in Code::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.as_str())),
            "docs/problems.md lacks a row for {}",
            code.as_str()
        );
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let mut all = Vec::new();
    for dir in ["src", "crates", "tests", "xtask/src", "bench", "glue", "packages"] {
        files(&root().join(dir), ".rs", &mut all);
    }
    for f in all {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.starts_with("//!"), "{} does not start with a //! doc comment", f.display());
    }
}

#[test]
fn demo_integrity_hashes_match_the_files() {
    let mut manifests = Vec::new();
    files(&root().join("www"), ".json", &mut manifests);
    manifests.retain(|p| p.file_name().unwrap().to_string_lossy().starts_with("manifest"));
    assert!(!manifests.is_empty());
    let mut checked = 0;
    for m in manifests {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
        let Some(Value::Array(releases)) = doc.get("releases") else { continue };
        for r in releases {
            let Some(Value::Array(assets)) = r.get("assets") else { continue };
            for a in assets {
                let (Some(url), Some(integrity)) =
                    (a.get("url").and_then(Value::as_str), a.get("integrity").and_then(Value::as_str))
                else {
                    continue;
                };
                let beside = m.parent().unwrap().join(url);
                let file = if beside.is_file() { beside } else { root().join("www").join(url) };
                let Ok(bytes) = std::fs::read(file) else { continue };
                checked += 1;
                let actual = desk_loader_core::sri::integrity(&bytes);
                assert_eq!(integrity, actual, "{}: {url} is stale; run `cargo xtask sri`", m.display());
            }
        }
    }
    assert!(checked > 20, "only {checked} assets were checked");
}

#[test]
fn the_gallery_links_every_scenario() {
    let gallery = std::fs::read_to_string(root().join("www/index.html")).unwrap();
    for e in std::fs::read_dir(root().join("www/scenarios")).unwrap().flatten() {
        if e.path().is_dir() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(gallery.contains(&format!("href=\"scenarios/{name}/\"")), "www/index.html does not link {name}");
            assert!(
                e.path().join("index.html").is_file() && e.path().join("manifest.json").is_file(),
                "{name} is incomplete"
            );
        }
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

/// A matrix scenario's bound: a hang detector, twice the longest the loader
/// may legitimately take in that scenario by its own timeouts
/// (docs/matrix.md, "Time bounds"). Per page load: the documents' fetch
/// timeout, then for each release it may try, the ready deadline, the look
/// at the mount point after `ready()` and every retry's backoff; plus what the scenario's faults add (`waits.delayMs`,
/// and the page's own `faults.json`). The options come from `waits`, else
/// the page's `#desk-loader-options`, else the loader's defaults; the
/// releases from `waits`, else the page's manifest.
fn bound_ms(scenario: &Value) -> f64 {
    use desk_loader_core::boot::{
        DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_READY_DEADLINE_MS, MAX_RETRIES, RENDER_BOUND_MS, RETRY_BACKOFF_MS,
    };
    let page = scenario.get("page").and_then(Value::as_str).unwrap();
    let dir = root().join("www").join(page.trim_start_matches('/'));
    let (html, folder) =
        if page.ends_with('/') { (dir.join("index.html"), dir) } else { (dir.clone(), root().join("www")) };
    let html = std::fs::read_to_string(&html).unwrap_or_else(|e| panic!("{page}: {e}"));
    let options = html
        .split(r#"id="desk-loader-options">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .map(|json| serde_json::from_str::<Value>(json).unwrap())
        .unwrap_or(Value::Null);
    let waits = scenario.get("waits");
    let given = |k: &str| number(waits.and_then(|w| w.get(k))).or(number(options.get(k)));
    let fetch = given("fetchTimeoutMs").unwrap_or(DEFAULT_FETCH_TIMEOUT_MS);
    let deadline = given("readyDeadlineMs").unwrap_or(DEFAULT_READY_DEADLINE_MS);
    let releases = number(waits.and_then(|w| w.get("releases"))).unwrap_or_else(|| {
        match read_json(&folder.join("manifest.json")).get("releases") {
            Some(Value::Array(r)) => r.len() as f64,
            _ => panic!("{page}: its manifest lists no releases"),
        }
    });
    let loads = number(waits.and_then(|w| w.get("loads"))).unwrap_or(1.0);
    let faults = folder.join("faults.json");
    let page_delays: f64 = match faults.is_file().then(|| read_json(&faults)) {
        Some(Value::Array(rules)) => rules.iter().filter_map(|r| number(r.get("delayMs"))).sum(),
        _ => 0.0,
    };
    let delay = number(waits.and_then(|w| w.get("delayMs"))).unwrap_or(0.0) + page_delays;
    let backoffs: f64 = (0..MAX_RETRIES).map(|k| RETRY_BACKOFF_MS * f64::from(1u32 << k)).sum();
    let worst = loads * (fetch + releases * (deadline + RENDER_BOUND_MS + backoffs)) + delay;
    (2.0 * worst / 1000.0).ceil() * 1000.0
}

/// The matrix's scenarios.
fn scenarios(matrix: &Value) -> &[Value] {
    match matrix.get("scenarios") {
        Some(Value::Array(rows)) => rows,
        _ => panic!("matrix.json has a scenarios array"),
    }
}

/// The matrix table in `docs/matrix.md`, rendered from `tests/e2e/matrix.json`.
fn matrix_table(matrix: &Value) -> String {
    let mut out = String::from(
        "| group | scenario | what goes wrong | expected outcome | differs in | bound |\n|---|---|---|---|---|---|\n",
    );
    for r in scenarios(matrix) {
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let outcome = |expect: &Value| {
            let e = |k: &str| expect.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            match e("state").as_str() {
                "ready" => format!("ready on {}", e("release")),
                _ => format!("error screen, `{}`", e("code")),
            }
        };
        let differs = match r.get("engines").and_then(Value::as_object) {
            Some(engines) => engines
                .iter()
                .map(|(engine, own)| {
                    let why = own.get("why").and_then(Value::as_str).unwrap_or("");
                    match own.get("expect") {
                        Some(e) => format!("{engine}: {} ({why})", outcome(e)),
                        None => format!("{engine}: {why}"),
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
            None => String::new(),
        };
        let bound = format!("{} s", number(r.get("boundMs")).unwrap_or(0.0) / 1000.0);
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            s("group"),
            s("name"),
            s("what"),
            outcome(r.get("expect").unwrap()),
            differs,
            bound
        ));
    }
    out
}

#[test]
fn each_matrix_bound_is_derived_from_its_scenarios_timeouts() {
    let path = root().join("tests/e2e/matrix.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let matrix: Value = serde_json::from_str(&text).unwrap();
    let desk = bound_ms(&Value::Object(vec![("page".into(), Value::from("/desk.html"))]));
    let report = desk_loader_core::boot::DEFAULT_REPORT_TIMEOUT_MS;
    let mut expected = vec![("defaultBoundMs", desk), ("reportTimeoutMs", report)];
    expected.extend(scenarios(&matrix).iter().map(|s| ("boundMs", bound_ms(s))));
    // Rewrite the numbers in place, in order: the file keeps its layout.
    let mut fresh = String::new();
    let mut rest = text.as_str();
    for (key, ms) in &expected {
        let needle = format!("\"{key}\": ");
        let at = rest.find(&needle).unwrap_or_else(|| panic!("matrix.json: a {key} is missing")) + needle.len();
        let len = rest[at..].find(|c: char| !c.is_ascii_digit() && c != '.').unwrap();
        fresh.push_str(&rest[..at]);
        fresh.push_str(&ms.to_string());
        rest = &rest[at + len..];
    }
    fresh.push_str(rest);
    assert_eq!(text.matches("\"boundMs\": ").count(), scenarios(&matrix).len(), "each scenario has one boundMs");
    if fresh != text {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, fresh).unwrap();
        } else {
            panic!(
                "matrix.json's bounds are not the ones its timeouts give: run `UPDATE_DOCS=1 cargo test --test tidy`"
            );
        }
    }
}

#[test]
fn the_matrix_doc_matches_the_matrix() {
    let matrix = read_json(&root().join("tests/e2e/matrix.json"));
    let table = matrix_table(&matrix);
    assert!(table.lines().count() >= 42, "the matrix has at least 40 scenarios");
    let doc_path = root().join("docs/matrix.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_default();
    let (start, end) = ("<!-- matrix: start -->\n", "<!-- matrix: end -->");
    let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else {
        panic!("docs/matrix.md lacks the matrix markers")
    };
    let current = &doc[a + start.len()..b];
    if current != table {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let fresh = format!("{}{start}{}{}", &doc[..a], table, &doc[b..]);
            std::fs::write(&doc_path, fresh).unwrap();
        } else {
            panic!("docs/matrix.md is stale: run `UPDATE_DOCS=1 cargo test --test tidy`");
        }
    }
}

#[test]
fn no_code_from_strings_and_no_html_from_data() {
    let mut files_to_check = Vec::new();
    files(&root().join("src"), ".rs", &mut files_to_check);
    files(&root().join("crates"), ".rs", &mut files_to_check);
    files(&root().join("www"), ".js", &mut files_to_check);
    files_to_check.retain(|f| !f.to_string_lossy().contains("/www/panel/broken/"));
    for f in files_to_check {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in [
            "eval(",
            "new Function",
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "set_inner_html",
            "document.write",
        ] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
}

#[test]
fn every_scenario_page_is_the_documented_embed() {
    // Each scenario page is desk.html with its own options, title and paths:
    // nothing else may drift.
    let normalize = |html: &str| {
        let mut out = String::new();
        let mut skip = false;
        for line in html.lines() {
            if line.contains("<title>") {
                continue;
            }
            if line.contains(r#"id="desk-loader-options""#) {
                skip = true;
                continue;
            }
            if skip {
                skip = !line.contains("</script>");
                continue;
            }
            out.push_str(&line.replace("../../", ""));
            out.push('\n');
        }
        out
    };
    let desk = normalize(&std::fs::read_to_string(root().join("www/desk.html")).unwrap());
    for e in std::fs::read_dir(root().join("www/scenarios")).unwrap().flatten().filter(|e| e.path().is_dir()) {
        let page = normalize(&std::fs::read_to_string(e.path().join("index.html")).unwrap());
        assert_eq!(
            page,
            desk,
            "www/scenarios/{}/index.html drifted from www/desk.html",
            e.file_name().to_string_lossy()
        );
    }
}

#[test]
fn the_fast_embed_page_is_what_desk_loader_embed_writes() {
    // www/desk-fast.html is `desk-loader embed` of the demo's documents; after
    // `cargo xtask sri` or an edit to them, rewrite it with UPDATE_DOCS=1.
    let read = |p: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(root().join(p)).unwrap()).unwrap() };
    let embed = desk_loader_cli::embed::render(
        &read("www/manifest.json"),
        &read("www/config.json"),
        &read("www/desk-fast.options.json"),
        "",
        desk_loader_cli::embed::Css::Inline,
    )
    .unwrap();
    assert_eq!(embed.release.as_deref(), Some("2026.11.2"));
    let expected = embed.page("Agent desk (fast embed)");
    let path = root().join("www/desk-fast.html");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap() == expected,
        "www/desk-fast.html is stale: run `UPDATE_DOCS=1 cargo test --test tidy`"
    );
}

#[test]
fn every_page_and_snippet_shows_the_embeds_loading_state() {
    // One loading state, the one `desk-loader embed` writes: its spinner is
    // what makes WebKit paint it (desk_loader_cli::embed::LOADING_STATE).
    for file in ["www/desk.html", "www/sources.html", "README.md", "docs/embed.md"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(text.contains(desk_loader_cli::embed::LOADING_STATE), "{file} does not show the embed's loading state");
    }
}

/// The table of `docs/matrix.md`'s "Where an engine differs": every
/// `test.skip(engine …, "why")` in the end-to-end specs, with the test (or
/// the file, for a `beforeEach`) it skips, the engines it runs in and why.
fn skips_table() -> String {
    const ENGINES: [&str; 3] = ["chromium", "firefox", "webkit"];
    let mut specs = Vec::new();
    files(&root().join("tests/e2e"), ".spec.js", &mut specs);
    specs.sort();
    let mut out = String::from("| spec | test | runs in | why not in the others |\n|---|---|---|---|\n");
    for spec in specs {
        let name = spec.file_name().unwrap().to_string_lossy().into_owned();
        let (mut title, mut group) = (String::new(), None);
        for line in std::fs::read_to_string(&spec).unwrap().lines() {
            // A group's `beforeEach` is indented; its lines end at a `});` at the margin.
            if line.starts_with("});") {
                group = None;
            }
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("test(\"").or_else(|| line.strip_prefix("test(`")) {
                title = rest.split(['"', '`']).next().unwrap_or("").to_owned();
            } else if let Some(rest) = line.strip_prefix("test.describe(\"") {
                group = rest.split('"').next().map(str::to_owned);
            } else if line.starts_with("test.beforeEach(") {
                title = group.as_ref().map_or("every test".to_owned(), |g| format!("every test of \"{g}\""));
            }
            let Some(rest) = line.strip_prefix("test.skip(engine ") else { continue };
            let (op, rest) = rest.split_at(3);
            let engine = rest.trim_start().trim_start_matches('"').split('"').next().unwrap();
            let why = rest.split_once(", \"").map(|(_, w)| w.trim_end_matches(");").trim_end_matches('"')).unwrap();
            let runs: Vec<&str> = match op {
                "===" => ENGINES.iter().copied().filter(|e| *e != engine).collect(),
                "!==" => vec![engine],
                other => panic!("{name}: test.skip(engine {other} …) is not understood"),
            };
            out.push_str(&format!("| `{name}` | {title} | {} | {why} |\n", runs.join(", ")));
        }
    }
    out
}

#[test]
fn the_engines_doc_lists_every_skipped_spec() {
    let table = skips_table();
    assert!(table.lines().count() > 3, "the skips were not found:\n{table}");
    let doc_path = root().join("docs/matrix.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let (start, end) = ("<!-- skips: start -->\n", "<!-- skips: end -->");
    let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else { panic!("docs/matrix.md lacks the skips markers") };
    if doc[a + start.len()..b] != table {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&doc_path, format!("{}{start}{table}{}", &doc[..a], &doc[b..])).unwrap();
        } else {
            panic!("docs/matrix.md's skips are stale: run `UPDATE_DOCS=1 cargo test --test tidy`");
        }
    }
}

/// The members of `interface NAME` in the package's declarations.
fn declared(dts: &str, name: &str) -> Vec<String> {
    let start =
        dts.find(&format!("interface {name} {{")).unwrap_or_else(|| panic!("index.d.ts has no interface {name}"));
    let body = &dts[start..];
    let body = &body[body.find('\n').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .filter(|l| {
            l.starts_with("  ")
                && !l.starts_with("   ")
                && !l.trim_start().starts_with("/*")
                && !l.trim_start().starts_with('*')
        })
        .map(|l| {
            let l = l.trim_start().trim_start_matches("readonly ");
            l.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap().to_owned()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

/// The backticked first column of the table under `heading` in `doc`, with
/// any `(…)` after a name dropped.
fn documented(doc: &str, heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(doc)).unwrap();
    let section = &text[text.find(heading).unwrap_or_else(|| panic!("{doc} has no {heading}"))..];
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| {
            l.split('|').nth(1)?.trim().strip_prefix('`').map(|c| c.split(['`', '(']).next().unwrap().to_owned())
        })
        .collect()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().iter().map(|(k, _)| k.as_str().to_owned()).collect()
}

/// The package's TypeScript declarations (`www/npm/index.d.ts`) against the
/// docs' tables and the product's own report (docs/report.md's example,
/// which tests/reports.rs writes from a real boot): a field added, renamed or
/// dropped on one side fails here.
#[test]
fn the_declarations_match_the_docs_and_the_report() {
    let dts = std::fs::read_to_string(root().join("www/npm/index.d.ts")).unwrap();
    assert_eq!(declared(&dts, "Options"), documented("docs/embed.md", "## Options"), "Options / docs/embed.md");
    assert_eq!(declared(&dts, "Report"), documented("docs/report.md", "## Fields"), "Report / docs/report.md");
    assert_eq!(
        declared(&dts, "BootContext"),
        documented("docs/panel-api.md", "## The boot context"),
        "BootContext / docs/panel-api.md"
    );

    let doc = std::fs::read_to_string(root().join("docs/report.md")).unwrap();
    let block = &doc[doc.find("<!-- example: incident -->\n```json\n").unwrap() + 34..];
    let report: Value = serde_json::from_str(&block[..block.find("```").unwrap()]).unwrap();
    assert_eq!(keys(&report), declared(&dts, "Report"), "Report / the product's report");
    let problems = report.get("problems").unwrap();
    let Value::Array(problems) = problems else { panic!("problems is not an array") };
    assert_eq!(keys(&problems[0]), declared(&dts, "Problem"), "Problem / the product's problems");
    let timings = keys(report.get("timings").unwrap());
    assert!(timings.iter().all(|t| dts.contains(&format!("    {t}: number | null;"))), "timings: {timings:?}");
    let Value::Array(path) = report.get("path").unwrap() else { panic!("path is not an array") };
    let steps = declared(&dts, "PathStep");
    assert!(path.iter().all(|p| keys(p).iter().all(|k| steps.contains(k))), "PathStep / the product's path");
}

/// Each screenshot the README shows is one a spec takes (`desk.screenshot`),
/// so `UPDATE_DOCS=1 cargo xtask test` can take it again.
#[test]
fn the_readme_shows_screenshots_the_suite_takes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut specs = Vec::new();
    files(&root().join("tests/e2e"), ".spec.js", &mut specs);
    let taken: String = specs.iter().map(|s| std::fs::read_to_string(s).unwrap()).collect();
    let shown: Vec<&str> = readme.split("(docs/img/").skip(1).filter_map(|s| s.split(".png)").next()).collect();
    assert!(shown.len() >= 6, "the README shows {shown:?}");
    for name in shown {
        assert!(root().join(format!("docs/img/{name}.png")).is_file(), "docs/img/{name}.png is missing");
        assert!(
            taken.contains(&format!("screenshot(\"{name}\")"))
                || taken.contains("screenshot(`matrix-${s.name}`)") && name.starts_with("matrix-"),
            "no spec takes the screenshot {name}"
        );
    }
}

/// The core reads in phases (ARCHITECTURE.md): no file of the core crate is
/// over 600 lines (`tests/layers.rs` checks its imports for cycles).
#[test]
fn the_core_is_in_small_files() {
    let mut sources = Vec::new();
    files(&root().join("crates/core/src"), ".rs", &mut sources);
    assert!(sources.len() > 20);
    for file in &sources {
        let lines = std::fs::read_to_string(file).unwrap().lines().count();
        assert!(lines <= 600, "{}: {lines} lines, more than 600", file.display());
    }
}

#[test]
fn the_framework_entries_in_panel_api_md_are_the_examples_text() {
    let doc = std::fs::read_to_string(root().join("docs/panel-api.md")).unwrap();
    let mut checked = 0;
    for (i, _) in doc.match_indices("<!-- example: examples/panels/") {
        let marker = &doc[i + "<!-- example: ".len()..];
        let file = &marker[..marker.find(" -->").unwrap()];
        let code = marker.split("```").nth(1).unwrap();
        let code = &code[code.find('\n').unwrap() + 1..];
        let source = std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(source.contains(code.trim_end()), "docs/panel-api.md's block for {file} is not the file's text");
        checked += 1;
    }
    assert_eq!(checked, 3, "the React, Vue and Svelte entries");
}
