//! Repository rules that keep docs and data honest: every problem code is
//! documented, every Rust file starts with a `//!` doc, and the demo's
//! integrity hashes match its files.

use std::path::{Path, PathBuf};

use base64::Engine;
use desk_loader::core::problem::Code;
use desk_loader::core::value::Value;
use sha2::{Digest, Sha384};

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
    for dir in ["src", "tests", "xtask/src"] {
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
                let actual =
                    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes)));
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

/// The matrix table in `docs/matrix.md`, rendered from `tests/e2e/matrix.json`.
fn matrix_table() -> String {
    let text = std::fs::read_to_string(root().join("tests/e2e/matrix.json")).unwrap();
    let Value::Array(rows) = serde_json::from_str::<Value>(&text).unwrap() else { panic!("matrix.json is an array") };
    let mut out =
        String::from("| group | scenario | what goes wrong | expected outcome | bound |\n|---|---|---|---|---|\n");
    for r in &rows {
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let expect = r.get("expect").unwrap();
        let e = |k: &str| expect.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let outcome = match e("state").as_str() {
            "ready" => format!("ready on {}", e("release")),
            _ => format!("error screen, `{}`", e("code")),
        };
        let bound = match r.get("boundMs") {
            Some(Value::Number(n)) => format!("{} s", n / 1000.0),
            _ => String::new(),
        };
        out.push_str(&format!("| {} | `{}` | {} | {} | {} |\n", s("group"), s("name"), s("what"), outcome, bound));
    }
    out
}

#[test]
fn the_matrix_doc_matches_the_matrix() {
    assert!(matrix_table().lines().count() >= 42, "the matrix has at least 40 scenarios");
    let doc_path = root().join("docs/matrix.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_default();
    let (start, end) = ("<!-- matrix: start -->\n", "<!-- matrix: end -->");
    let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else {
        panic!("docs/matrix.md lacks the matrix markers")
    };
    let current = &doc[a + start.len()..b];
    if current != matrix_table() {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let fresh = format!("{}{start}{}{}", &doc[..a], matrix_table(), &doc[b..]);
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
    let embed = desk_loader::embed::render(
        &read("www/manifest.json"),
        &read("www/config.json"),
        &read("www/desk-fast.options.json"),
        "",
        desk_loader::embed::Css::Inline,
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
