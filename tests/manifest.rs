//! The manifest reader: usable releases, and every broken declaration named by path.

use desk_loader_core::config::Contract;
use desk_loader_core::integrity;
use desk_loader_core::manifest::{AssetKind, Manifest, Range, MAX_RELEASES};
use desk_loader_core::problem::Code;
use desk_loader_core::value::Value;

fn parse(text: &str) -> (Manifest, Vec<String>) {
    let doc: Value = serde_json::from_str(text).unwrap();
    let (m, problems) = Manifest::parse(doc.clone());
    assert!(problems.iter().all(|p| p.code == Code::ManifestInvalid || p.code == Code::BundleIntegrity));
    (m, problems.into_iter().map(|p| p.message).collect())
}

const SHA: &str = "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[test]
fn reads_a_complete_manifest() {
    let (m, problems) = parse(&format!(
        r#"{{"format": 1, "pin": null, "withdrawn": ["b"], "releases": [
          {{"id": "a", "backend": ">=42, <44", "assets": [
             {{"type": "style", "url": "a.css", "integrity": "{SHA}"}},
             {{"type": "module", "url": "a.js", "integrity": "{SHA}"}}]}},
          {{"id": "b", "assets": [{{"type": "script", "url": "b.js", "integrity": "{SHA}"}}]}}]}}"#
    ));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(m.releases.len(), 2);
    assert_eq!(m.withdrawn, vec!["b"]);
    assert_eq!(m.releases[0].assets[1].kind, AssetKind::Module);
    let range = m.releases[0].backend.as_ref().unwrap();
    assert!(range.contains(42) && range.contains(43) && !range.contains(44) && !range.contains(41));
}

#[test]
fn a_broken_release_is_left_out_and_named_by_path() {
    let (m, problems) = parse(&format!(
        r#"{{"format": 1, "releases": [
          {{"id": "bad", "assets": [{{"type": "script", "url": "x.js", "integrity": "md5-abc"}}, {{"type": "font", "url": "f.woff"}}]}},
          {{"id": "good", "assets": [{{"type": "script", "url": "g.js", "integrity": "{SHA}"}}]}},
          {{"id": "good", "assets": [{{"type": "script", "url": "g2.js", "integrity": "{SHA}"}}]}},
          {{"assets": [], "backend": "soon"}},
          "not a release"]}}"#
    ));
    assert_eq!(m.releases.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec!["good"]);
    assert_eq!(
        problems,
        vec![
            "releases[0].assets[0].integrity: expected sha256-, sha384- or sha512- followed by base64 (no sha256, sha384 or sha512 hash), found the string \"md5-abc\"",
            "releases[0].assets[1].type: expected script, module, style or chunk, found the string \"font\"",
            "releases[0].assets[1].integrity: missing; this file loads only same-origin where the host page opts out of integrity",
            "releases[0].assets: expected at least one script or module",
            "releases[2].id: the id \"good\" is listed twice; the first is used",
            "releases[3].assets: expected 1 to 100 assets, found 0",
            "releases[3].backend: expected a range such as \">=42, <44\" (a version must be 1 to 15 digits, with no sign or other character), found the string \"soon\"",
            "releases[3].assets: expected at least one script or module",
            "releases[3].id: missing",
            "releases[4]: expected an object, found the string \"not a release\"",
        ]
    );
}

#[test]
fn wrong_top_level_shapes() {
    assert_eq!(parse("[]").1, vec!["manifest: expected a JSON object, found an array"]);
    assert_eq!(
        parse(r#"{"format": 2}"#).1,
        vec![
            "format: expected 1, found the number 2",
            "releases: missing; expected an array of releases, newest first"
        ]
    );
    assert_eq!(parse(r#"{"releases": [], "surprise": 1}"#).1, vec!["surprise: unknown key, ignored"]);
    assert_eq!(parse(r#"{"releases": [], "releases": []}"#).1, vec!["releases: this key appears twice; keep one"]);
}

#[test]
fn too_many_releases_are_cut_with_a_problem() {
    let one = format!(r#"{{"id": "r", "assets": [{{"type": "script", "url": "r.js", "integrity": "{SHA}"}}]}}"#);
    let many: Vec<String> = (0..MAX_RELEASES + 5).map(|i| one.replace("\"r\"", &format!("\"r{i}\""))).collect();
    let (m, problems) = parse(&format!(r#"{{"releases": [{}]}}"#, many.join(",")));
    assert_eq!(m.releases.len(), MAX_RELEASES);
    assert_eq!(
        problems,
        vec![format!("releases: {} releases listed; only the first {MAX_RELEASES} are read", MAX_RELEASES + 5)]
    );
}

#[test]
fn integrity_and_ranges() {
    let valid = |s: &str| integrity::parse(s).is_ok();
    assert!(valid(SHA));
    assert!(valid(&format!("{SHA} sha256-{}=", "A".repeat(43))));
    assert!(!valid(""));
    assert!(!valid("sha384-short"));
    assert!(!valid("sha1-AAAA"));
    assert!(Range::parse("43").unwrap().contains(43));
    assert!(Range::parse(">42").unwrap().contains(43));
    assert!(Range::parse(">=42, <44").unwrap().contains(43));
    assert!(!Range::parse("<=42").unwrap().contains(43));
    assert_eq!(Range::parse(">=forty"), Err("a version must be 1 to 15 digits, with no sign or other character"));
    // Issue 27: what the range accepted without a word.
    for refused in
        ["+42", "-1", ">=-1", "\u{a0}42", "42\u{3000}", ">=42,", ">44, <42", "=42, =43", "<0, >0", ">=42;<44", "4_2"]
    {
        assert!(Range::parse(refused).is_err(), "{refused:?}");
    }
    assert_eq!(Range::parse(">44, <42"), Err("no version satisfies every comparator"));
}

#[test]
fn a_range_no_version_satisfies_is_manifest_invalid_naming_it() {
    let doc = r#"{"format": 1, "releases": [{"id": "r1", "backend": ">44, <42",
        "assets": [{"type": "script", "url": "p.js", "integrity": "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"}]}]}"#;
    let (m, problems) = Manifest::parse(serde_json::from_str(doc).unwrap());
    assert!(m.releases.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, Code::ManifestInvalid);
    assert_eq!(
        problems[0].message,
        r#"releases[0].backend: expected a range such as ">=42, <44" (no version satisfies every comparator), found the string ">44, <42""#
    );
}

/// Regression inputs found by `cargo xtask fuzz` (see `docs/fuzzing.md`).
#[test]
fn fuzz_regressions() {
    // Written numbers read back exactly (serde_json's float_roundtrip).
    let v: Value = serde_json::from_str("6e46").unwrap();
    let again: Value = serde_json::from_str(&v.to_json()).unwrap();
    assert_eq!(again, v);
    // A variable declared twice is checked once; the document's duplicate key is an error.
    let doc: Value = serde_json::from_str(
        r#"{"format": 1, "releases": [{"id": "r", "assets": [{"type": "script", "url": "a.js",
        "integrity": "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}],
        "config": {"variables": {"T": {"type": "string", "secret": true}, "T": {"type": "integer"}}}}]}"#,
    )
    .unwrap();
    let (m, problems) = Manifest::parse(doc.clone());
    assert_eq!(m.releases[0].contract.variables.len(), 1);
    assert!(problems.iter().any(|p| p.message == "releases[0].config.variables.T: this key appears twice; keep one"));
}

/// The manifest reads each release's contract as `Contract::parse` reads it
/// alone: when the document has no duplicate key, without indexing each
/// declaration list for repeats (`config::Keys`); when it has one anywhere,
/// with, the first of a repeated name winning.
#[test]
fn a_release_s_contract_reads_as_its_config_alone() {
    let release = |id: &str, config: &str| {
        format!(
            r#"{{"id": "{id}", "assets": [{{"type": "script", "url": "{id}.js", "integrity": "{SHA}"}}], "config": {config}}}"#
        )
    };
    let vars: Vec<String> =
        (0..40).map(|i| format!(r#""V_{i}": {{"type": "integer", "feature": "f{}"}}"#, i % 2)).collect();
    let first = release(
        "a",
        &format!(r#"{{"variables": {{{}}}, "features": {{"f0": {{}}, "f1": {{"default": true}}}}}}"#, vars.join(",")),
    );
    let second = release(
        "b",
        r#"{"variables": {"T": {"type": "string"}}, "features": {"f0": {"default": true}, "f0": {"default": false}}}"#,
    );
    let unique = format!(r#"{{"format": 1, "releases": [{first}]}}"#);
    let repeated = format!(r#"{{"format": 1, "releases": [{first}, {second}]}}"#);
    for (text, duplicates) in [(&unique, 0), (&repeated, 1)] {
        let doc: Value = serde_json::from_str(text).unwrap();
        assert_eq!(doc.duplicate_keys().len(), duplicates);
        let (m, problems) = Manifest::parse(doc);
        assert_eq!(m.releases.len(), 1 + duplicates, "{problems:?}");
        for r in &m.releases {
            assert_eq!(r.contract, Contract::parse(r.source.get("config"), "config").0, "release {}", r.id);
        }
        assert_eq!(m.releases[0].contract.variables.len(), 40);
    }
    let (m, problems) = parse(&repeated);
    let features = &m.releases[1].contract.features;
    assert_eq!((features.len(), features[0].default), (1, true), "the first f0 wins");
    assert!(
        problems.iter().any(|p| p == "releases[1].config.features.f0: this key appears twice; keep one"),
        "{problems:?}"
    );
}

#[test]
fn limits_on_assets_and_variables() {
    use desk_loader_core::config::MAX_VARIABLES;
    use desk_loader_core::manifest::MAX_ASSETS;
    let asset = format!(r#"{{"type": "script", "url": "a.js", "integrity": "{SHA}"}}"#);
    let assets = vec![asset.clone(); MAX_ASSETS + 1].join(",");
    let vars: Vec<String> = (0..MAX_VARIABLES + 3).map(|i| format!(r#""V{i}": {{"type": "string"}}"#)).collect();
    let (m, problems) = parse(&format!(
        r#"{{"releases": [{{"id": "many", "assets": [{assets}]}}, {{"id": "vars", "assets": [{asset}], "config": {{"variables": {{{}}}}}}}]}}"#,
        vars.join(",")
    ));
    assert!(
        problems.contains(&format!("releases[0].assets: expected 1 to {MAX_ASSETS} assets, found {}", MAX_ASSETS + 1))
    );
    assert!(problems.contains(&format!(
        "releases[1].config.variables: {} variables declared; only the first {MAX_VARIABLES} are read",
        MAX_VARIABLES + 3
    )));
    assert_eq!(m.releases.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), Vec::<&str>::new(), "both are refused");
}

#[test]
fn the_quarantine_keeps_at_most_its_limit() {
    use desk_loader_core::record::{apply, Quarantined, Record, Update, MAX_QUARANTINE};
    let mut stored = Value::Null;
    for i in 0..MAX_QUARANTINE + 5 {
        let q = Quarantined {
            release: format!("r{i}"),
            config_fingerprint: "f".into(),
            backend_schema: None,
            until_ms: 2e12,
            code: "panel.threw".into(),
        };
        stored = apply(&stored, &Update::Quarantine(q), 1e12);
    }
    let (record, problems) = Record::decode(&stored);
    assert!(problems.is_empty());
    assert_eq!(record.quarantine.len(), MAX_QUARANTINE);
    assert_eq!(record.quarantine[0].release, "r5", "the oldest go first");
}
