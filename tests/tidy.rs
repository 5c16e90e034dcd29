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
                let Ok(bytes) = std::fs::read(root().join("www").join(url)) else { continue };
                let actual =
                    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes)));
                assert_eq!(integrity, actual, "{}: {url} is stale; run `cargo xtask sri`", m.display());
            }
        }
    }
}
