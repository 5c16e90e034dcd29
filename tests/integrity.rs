//! `core::integrity` on web-platform-tests' SRI metadata strings and the
//! forms issue 27 named (`tests/cases/integrity.json`): every value the
//! manifest accepts passes a file exactly when wpt says browsers run it, and
//! every value it refuses is one the table says it refuses. The same table's
//! accepted forms run in three engines in `tests/e2e/security.spec.js`.
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine;
use desk_loader_core::integrity::{parse, Alg};
use desk_loader_core::manifest::Manifest;
use desk_loader_core::value::Value;

fn table() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/integrity.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn name(alg: Alg) -> &'static str {
    match alg {
        Alg::Sha256 => "sha256",
        Alg::Sha384 => "sha384",
        Alg::Sha512 => "sha512",
    }
}

#[test]
fn every_accepted_value_is_judged_as_browsers_judge_it_and_every_refusal_is_listed() {
    let table = table();
    let (mut accepted, mut refused) = (0, 0);
    for case in table["cases"].as_array().unwrap() {
        let (label, integrity) = (case["name"].as_str().unwrap(), case["integrity"].as_str().unwrap());
        let file = &table["digests"][case["file"].as_str().unwrap()];
        match (parse(integrity), case["manifest"].as_str().unwrap()) {
            (Ok(metadata), "accepts") => {
                let digest = file[name(metadata.alg)].as_str().expect("the table has the strongest digest");
                let digest = base64::engine::general_purpose::STANDARD.decode(digest).unwrap();
                assert_eq!(metadata.matches(&digest), case["loads"].as_bool().unwrap(), "{label}: {integrity:?}");
                accepted += 1;
            }
            (Err(_), "refuses") => refused += 1,
            (verdict, expected) => panic!("{label}: {integrity:?}: the manifest should {expected}, got {verdict:?}"),
        }
    }
    assert!(accepted >= 15 && refused >= 15, "{accepted} accepted, {refused} refused: the table did not load");
}

#[test]
fn the_manifest_names_why_it_refuses_an_integrity_value() {
    let asset = |integrity: &str| {
        let doc = format!(
            r#"{{"format": 1, "releases": [{{"id": "r1", "assets": [{{"type": "script", "url": "p.js", "integrity": {}}}]}}]}}"#,
            Value::from(integrity).to_json()
        );
        let (m, problems) = Manifest::parse(serde_json::from_str(&doc).unwrap());
        (m.releases.len(), problems.into_iter().map(|p| p.message).collect::<Vec<_>>())
    };
    let (kept, problems) = asset(&format!("sha384-{}", "=".repeat(64)));
    assert_eq!(kept, 0);
    assert!(
        problems[0].starts_with(
            "releases[0].assets[0].integrity: expected sha256-, sha384- or sha512- followed by base64 (a sha384 hash is not the base64 of 48 bytes), found the string \"sha384-===="
        ),
        "{problems:?}"
    );
    let (kept, problems) = asset("md5-abc");
    assert_eq!(kept, 0);
    assert!(problems[0].contains("(no sha256, sha384 or sha512 hash)"), "{problems:?}");
}
