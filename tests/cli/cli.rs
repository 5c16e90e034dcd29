//! The preflight CLI, run as a process: output and exit codes.

use std::path::Path;
use std::process::{Command, Output};

/// The repository: these are `desk-loader-cli`'s tests, kept in the top-level
/// `tests/` beside the others.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

const INCIDENT: &str = "tests/fixtures/incident-2023-08-11";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_desk-loader")).args(args).current_dir(ROOT).output().expect("the CLI runs")
}

fn text(o: &Output) -> (String, String, i32) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// A path relative to the repository, as the test process (which runs in
/// `crates/cli`) reads it; the CLI runs in the repository.
fn at(path: &str) -> std::path::PathBuf {
    Path::new(ROOT).join(path)
}

fn fixture(name: &str) -> String {
    format!("{INCIDENT}/{name}")
}

fn temp_file(name: &str, contents: &[u8]) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_incident_is_caught_before_it_ships() {
    let (out, _, code) =
        text(&run(&["check", "--manifest", &fixture("manifest.json"), "--config", &fixture("config.production.json")]));
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "ENGINE_GATEWAY_URL: required by the core panel, but not set (error config.missing)\n\
         release 2023.08.11: would NOT boot (1 error, 0 warnings)\n"
    );
}

#[test]
fn the_fixed_configuration_passes() {
    let (out, _, code) =
        text(&run(&["check", "--manifest", &fixture("manifest.json"), "--config", &fixture("config.fixed.json")]));
    assert_eq!((code, out.as_str()), (0, "release 2023.08.11: would boot (0 errors, 0 warnings)\n"));
}

#[test]
fn a_feature_gated_variable_boots_with_a_warning_unless_warnings_are_denied() {
    let args = [
        "check",
        "--manifest",
        &fixture("manifest.feature-gated.json"),
        "--config",
        &fixture("config.production.json"),
    ];
    let (out, _, code) = text(&run(&args));
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("conversationEngine: feature stays off; turning it on needs ENGINE_GATEWAY_URL (warning feature.unconfigured"), "{out}");
    let mut denied = args.to_vec();
    denied.push("--deny-warnings");
    let (out, _, code) = text(&run(&denied));
    assert_eq!(code, 1);
    assert!(out.ends_with("would boot, but warnings are denied (0 errors, 1 warning)\n"), "{out}");
}

#[test]
fn json_output_matches_the_golden_files() {
    for (manifest, config) in [
        ("manifest", "production"),
        ("manifest", "fixed"),
        ("manifest.feature-gated", "production"),
        ("manifest.feature-gated", "fixed"),
    ] {
        let (out, _, _) = text(&run(&[
            "check",
            "--manifest",
            &fixture(&format!("{manifest}.json")),
            "--config",
            &fixture(&format!("config.{config}.json")),
            "--format",
            "json",
        ]));
        let golden = std::fs::read_to_string(at(&fixture(&format!("expected/{manifest}.{config}.json")))).unwrap();
        assert_eq!(out, golden, "{manifest} with {config}");
    }
}

#[test]
fn the_previous_release_does_not_fit_the_migrated_backend() {
    let (out, _, code) = text(&run(&[
        "check",
        "--manifest",
        &fixture("manifest.json"),
        "--config",
        &fixture("config.fixed.json"),
        "--release",
        "2023.08.04",
    ]));
    assert_eq!(code, 1);
    assert!(out.starts_with("backend: release 2023.08.04 works with schema >=42, <44, the live backend is at 44 (error backend.incompatible)"), "{out}");
}

#[test]
fn schema_describes_the_release_configuration() {
    let (out, _, code) = text(&run(&["schema", "--manifest", &fixture("manifest.json")]));
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let values = &schema["properties"]["values"];
    assert_eq!(values["required"], serde_json::json!(["API_URL", "CHAT_TOKEN", "ENGINE_GATEWAY_URL"]));
    assert_eq!(values["properties"]["CHAT_TOKEN"]["writeOnly"], true);
    assert_eq!(values["properties"]["POLL_INTERVAL_MS"]["minimum"], 500);

    let (out, _, _) = text(&run(&["schema", "--manifest", &fixture("manifest.feature-gated.json")]));
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(schema["properties"]["values"]["required"], serde_json::json!(["API_URL", "CHAT_TOKEN"]));
    let rule = &schema["allOf"][0];
    assert_eq!(rule["if"]["properties"]["features"]["properties"]["conversationEngine"]["const"], true);
    assert_eq!(rule["then"]["properties"]["values"]["required"], serde_json::json!(["ENGINE_GATEWAY_URL"]));
}

#[test]
fn bad_input_exits_2_with_a_clear_error() {
    let manifest = fixture("manifest.json");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![], "a command is needed"),
        (vec!["lint".into()], "unknown command \"lint\""),
        (vec!["check".into(), "--manifest".into(), manifest.clone()], "check needs --config FILE"),
        (
            vec!["check".into(), "--manifest".into(), manifest.clone(), "--config".into(), "missing.json".into()],
            "missing.json: cannot be read",
        ),
        (
            vec![
                "check".into(),
                "--manifest".into(),
                manifest.clone(),
                "--config".into(),
                manifest.clone(),
                "--format".into(),
                "xml".into(),
            ],
            "--format must be text or json",
        ),
        (
            vec![
                "check".into(),
                "--manifest".into(),
                manifest.clone(),
                "--config".into(),
                temp_file("bad.json", b"{\n  \"values\": {,}\n}"),
            ],
            "bad.json:2:14: not valid JSON: expected a key in double quotes",
        ),
        (
            vec![
                "check".into(),
                "--manifest".into(),
                manifest.clone(),
                "--config".into(),
                temp_file("deep.json", format!("{}{}", "[".repeat(5000), "]".repeat(5000)).as_bytes()),
            ],
            "not valid JSON",
        ),
        (
            vec![
                "check".into(),
                "--manifest".into(),
                manifest.clone(),
                "--config".into(),
                temp_file("huge.json", &vec![b' '; 1024 * 1024 + 1]),
            ],
            "huge.json: 1048577 bytes, larger than the limit of 1048576",
        ),
        (
            vec![
                "check".into(),
                "--manifest".into(),
                manifest.clone(),
                "--config".into(),
                fixture("config.fixed.json"),
                "--release".into(),
                "1999.01.01".into(),
            ],
            "no usable release \"1999.01.01\" in the manifest (usable releases: 2023.08.11, 2023.08.04)",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (out, err, code) = text(&run(&args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(expected), "{args:?}: stderr {err:?} lacks {expected:?}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn wrong_top_level_types_are_problems_not_crashes() {
    let manifest = temp_file("wrong-manifest.json", br#"{"format": 1, "releases": {"id": "x"}}"#);
    let (_, err, code) = text(&run(&["check", "--manifest", &manifest, "--config", &fixture("config.fixed.json")]));
    assert_eq!(code, 2);
    assert!(err.contains("releases: expected an array, found an object"), "{err}");

    let config = temp_file("wrong-config.json", br#"["not", "an", "object"]"#);
    let (out, _, code) = text(&run(&["check", "--manifest", &fixture("manifest.json"), "--config", &config]));
    assert_eq!(code, 1);
    assert!(out.starts_with("configuration: expected a JSON object (error config.invalid)"), "{out}");
}

#[test]
fn a_withdrawn_release_is_reported_and_the_default_skips_it() {
    let manifest = std::fs::read_to_string(at(&fixture("manifest.json"))).unwrap();
    let withdrawn = manifest.replacen("\"format\": 1,", "\"format\": 1, \"withdrawn\": [\"2023.08.11\"],", 1);
    let path = temp_file("withdrawn.json", withdrawn.as_bytes());
    let (out, _, code) = text(&run(&[
        "check",
        "--manifest",
        &path,
        "--config",
        &fixture("config.fixed.json"),
        "--release",
        "2023.08.11",
    ]));
    assert_eq!(code, 1);
    assert!(out.starts_with("release 2023.08.11: withdrawn by the manifest (error release.withdrawn)"), "{out}");
    // Without --release, the check looks at the release the loader would try: the previous one.
    let (out, _, _) = text(&run(&["check", "--manifest", &path, "--config", &fixture("config.fixed.json")]));
    assert!(out.ends_with("release 2023.08.04: would NOT boot (1 error, 1 warning)\n"), "{out}");
}

#[test]
fn embed_preloads_the_release_that_would_boot_and_inlines_the_documents() {
    let (out, err, code) =
        text(&run(&["embed", "--manifest", &fixture("manifest.json"), "--config", &fixture("config.fixed.json")]));
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("desk-loader: embed preloads release 2023.08.11\n"), "{err}");
    assert!(out.contains(
        "<link rel=\"preload\" href=\"panel/2023.08.11/panel.js\" as=\"script\" \
         integrity=\"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\" crossorigin>"
    ));
    let head = out.split("<!-- in <body> -->").next().unwrap();
    assert!(!head.contains("panel/2023.08.04/"), "only the chosen release is preloaded:\n{head}");
    assert!(out.contains(r##"<script type="application/json" id="desk-loader-options">{"manifest":"#desk-manifest","config":"#desk-config"}</script>"##));
    let inline = |id: &str| {
        let start = out.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
        let end = start + out[start..].find("</script>").unwrap();
        serde_json::from_str::<serde_json::Value>(&out[start..end]).unwrap()
    };
    let file = |name: &str| {
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(at(&fixture(name))).unwrap()).unwrap()
    };
    assert_eq!(inline("desk-manifest"), file("manifest.json"));
    assert_eq!(inline("desk-config"), file("config.fixed.json"));
}

#[test]
fn embed_inlines_the_loader_stylesheet_and_gives_its_csp_hash_or_links_it() {
    use base64::Engine;
    use sha2::Digest;
    let (manifest, config) = (fixture("manifest.json"), fixture("config.fixed.json"));
    let embed = |extra: &[&str]| run(&[&["embed", "--manifest", &manifest, "--config", &config][..], extra].concat());

    let (out, err, code) = text(&embed(&["--page", "Desk"]));
    assert_eq!(code, 0, "{err}");
    let head = out.split("</head>").next().unwrap();
    assert!(!head.contains("desk-loader.css"), "no stylesheet request before the loading state paints:\n{head}");
    let start = out.find("<style id=\"desk-loader-css\">").expect("an inline stylesheet") + 28;
    let style = &out[start..start + out[start..].find("</style>").unwrap()];
    assert!(style.contains(".desk-loader-loading {") && style.contains(".desk-loader-error {"), "{style}");
    assert!(!style.contains('\n') && !style.contains("/*"), "one line, without comments: {style}");
    // The hash a browser computes over the element's text, as `--page` wrote it.
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    let csp = format!("the inline stylesheet needs 'sha256-{hash}' in style-src");
    assert!(err.contains(&csp), "{err}\nwanted: {csp}");

    let (out, err, code) = text(&embed(&["--css", "link", "--loader-base", "/loader/"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<link rel=\"stylesheet\" href=\"/loader/desk-loader.css\">"), "{out}");
    assert!(!out.contains("<style") && !err.contains("style-src"), "{out}\n{err}");

    let (_, err, code) = text(&embed(&["--css", "external"]));
    assert_eq!(code, 2);
    assert!(err.contains("--css must be inline or link, not \"external\""), "{err}");
}

#[test]
fn embed_with_the_incident_configuration_preloads_nothing_and_says_why() {
    let (out, err, code) =
        text(&run(&["embed", "--manifest", &fixture("manifest.json"), "--config", &fixture("config.production.json")]));
    assert_eq!(code, 0, "the page must still be written: its loader shows the error screen");
    assert!(err.contains("no release would boot with this configuration"), "{err}");
    let head = out.split("<!-- in <body> -->").next().unwrap();
    assert!(!head.contains("panel/"), "{head}");
    assert!(out.contains("<script type=\"module\" src=\"boot.js\"></script>"));
}

#[test]
fn embed_escapes_hostile_documents_and_preloads_only_trusted_files() {
    let manifest = temp_file(
        "hostile-manifest.json",
        br#"{"format":1,"releases":[{"id":"r1","description":"</script><script>alert(1)</script>","assets":[
            {"type":"script","url":"a.js?\"><img/src=x/onerror=alert(1)>","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
            {"type":"script","url":"https://cdn.example/b.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]}]}"#,
    );
    let config = temp_file("hostile-config.json", br#"{"values":{"X":"</script>"}}"#);
    let (out, err, _) = text(&run(&["embed", "--manifest", &manifest, "--config", &config]));
    assert!(err.starts_with("desk-loader: no release would boot with this configuration; the embed preloads no release files (run `desk-loader check` for the reasons)\n"), "{err}");
    assert_eq!(out.matches("</script>").count(), 5, "only the embed's own script elements close:\n{out}");
    assert!(!out.contains("<img"));

    let options = temp_file("cdn-options.json", br#"{"allowedOrigins":["https://cdn.example"],"reportUrl":"/r"}"#);
    let (out, err, code) = text(&run(&["embed", "--manifest", &manifest, "--config", &config, "--options", &options]));
    assert_eq!(code, 0);
    assert!(err.starts_with("desk-loader: embed preloads release r1\n"), "{err}");
    assert!(out.contains(r#"href="a.js?&quot;&gt;&lt;img/src=x/onerror=alert(1)&gt;""#), "{out}");
    assert!(out.contains(r#"href="https://cdn.example/b.js""#));
    assert!(out.contains(r#""allowedOrigins":["https://cdn.example"],"reportUrl":"/r"}"#));

    let bad = temp_file("bad-options.json", br#"{"manifest":"other.json"}"#);
    let (_, err, code) = text(&run(&["embed", "--manifest", &manifest, "--config", &config, "--options", &bad]));
    assert_eq!(code, 2);
    assert!(err.contains("the options may not set `manifest`"), "{err}");
}

#[test]
fn embed_never_preloads_a_url_a_browser_reads_as_another_host() {
    // Issue 27: `/\evil.example/x.js` looks like a path on the page's origin;
    // a browser reads the backslash as a slash and goes to evil.example.
    let manifest = temp_file(
        "backslash-manifest.json",
        br#"{"format":1,"releases":[
            {"id":"evil","assets":[{"type":"script","url":"/\\evil.example/x.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]},
            {"id":"good","assets":[{"type":"script","url":"panel/good.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]}]}"#,
    );
    let config = temp_file("backslash-config.json", br#"{"values":{}}"#);
    let (out, err, code) = text(&run(&["embed", "--manifest", &manifest, "--config", &config]));
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("desk-loader: embed preloads release good\n"), "{err}");
    assert!(!out.lines().any(|l| l.starts_with("<link") && l.contains("evil.example")), "{out}");
    assert!(out.contains(r#"href="panel/good.js""#), "{out}");
}

#[test]
fn a_file_with_a_byte_order_mark_checks_as_it_boots() {
    // A browser drops a UTF-8 BOM when it decodes a fetched document, so the
    // loader boots such a file; the CLI reads it the same way.
    let with_bom = |name: &str| {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(std::fs::read(at(&fixture(name))).unwrap());
        temp_file(&format!("bom-{name}"), &bytes)
    };
    let (manifest, config) = (with_bom("manifest.json"), with_bom("config.fixed.json"));
    let (stdout, stderr, code) = text(&run(&["check", "--manifest", &manifest, "--config", &config]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("would boot"), "{stdout}");
}

#[test]
fn a_file_that_is_not_utf8_checks_as_it_boots() {
    // A browser decodes a fetched document with U+FFFD for each invalid
    // sequence and boots it; the CLI reads it the same way, and says so.
    let latin1 = temp_file("latin1.json", b"{\"values\": {\"API_URL\": \"https://api.example/caf\xe9\"}}");
    let (stdout, stderr, code) = text(&run(&["check", "--manifest", &fixture("manifest.json"), "--config", &latin1]));
    assert_ne!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("latin1.json: not valid UTF-8 (first at byte 47); read as a browser reads it"), "{stderr}");
}

/// Every file of JSONTestSuite's `test_parsing/` (vendored with its licence
/// in `tests/data/JSONTestSuite/`) as the CLI reads it, given as the
/// configuration: read (any exit but 2) or refused (exit 2). The verdicts
/// are kept in `tests/cases/jsontestsuite.rs.in`, which `tests/web.rs` includes
/// to read every file the browser's way (`Response.text()`, then `check()`)
/// in Chromium, Firefox and WebKit and assert the same verdict; with
/// `UPDATE_DOCS=1` this test rewrites it. Its own rules hold too: every `y_`
/// file is read and every `n_` file refused.
#[test]
fn jsontestsuite_reads_in_the_cli_as_in_the_browser() {
    let dir = Path::new(ROOT).join("tests/data/JSONTestSuite/test_parsing");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 318, "the vendored suite is whole");
    let mut rows = String::new();
    let mut broken = Vec::new();
    for name in &names {
        let path = dir.join(name).to_string_lossy().into_owned();
        let (stdout, stderr, code) = text(&run(&["check", "--manifest", &fixture("manifest.json"), "--config", &path]));
        let read = code != 2;
        assert!(read || stderr.contains("not valid JSON"), "{name}: {stdout}{stderr}");
        if (name.starts_with("y_") && !read) || (name.starts_with("n_") && read) {
            broken.push(format!("{name}: {}", if read { "read" } else { "refused" }));
        }
        rows.push_str(&format!(
            "    (\"{name}\", include_bytes!(\"../data/JSONTestSuite/test_parsing/{name}\"), {read}),\n"
        ));
    }
    assert!(broken.is_empty(), "JSONTestSuite's own verdicts broken:\n{}", broken.join("\n"));
    let table = format!(
        "// Generated by `UPDATE_DOCS=1 cargo test -p desk-loader-cli --test cli jsontestsuite`: each file of JSONTestSuite's\n// test_parsing/ (MIT: tests/data/JSONTestSuite/LICENSE) and whether `desk-loader check` reads it.\n\n/// (file name, its bytes, whether the CLI reads it)\n#[rustfmt::skip]\nconst JSON_TEST_SUITE: &[(&str, &[u8], bool)] = &[\n{rows}];\n"
    );
    let path = Path::new(ROOT).join("tests/cases/jsontestsuite.rs.in");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &table).unwrap();
    } else {
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == table,
            "tests/cases/jsontestsuite.rs.in is stale: run `UPDATE_DOCS=1 cargo test -p desk-loader-cli --test cli jsontestsuite`"
        );
    }
}

#[test]
fn check_fails_a_release_whose_url_the_loader_refuses_on_any_page() {
    // Issue 27: the desk refuses `/\evil.example/x.js` (bundle.origin); the
    // preflight says so before it ships, whatever the page's origin.
    let manifest = temp_file(
        "check-backslash-manifest.json",
        br#"{"format":1,"releases":[{"id":"evil","assets":[
            {"type":"script","url":"/\\evil.example/x.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"},
            {"type":"script","url":"https://cdn.example/ok.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]}]}"#,
    );
    let config = temp_file("check-backslash-config.json", br#"{"values":{}}"#);
    let (stdout, stderr, code) = text(&run(&["check", "--manifest", &manifest, "--config", &config]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "/\\evil.example/x.js: it holds a backslash, which browsers read as a slash; write / (error bundle.origin)\nrelease evil: would NOT boot (1 error, 0 warnings)\n",
        "an absolute URL on another origin is the host page's to allow, so it is not refused here"
    );
}

#[test]
fn check_and_schema_show_a_releases_rollout() {
    let manifest = temp_file(
        "rollout-manifest.json",
        br#"{"format":1,"releases":[{"id":"2026.12.0","rollout":10,"assets":[
            {"type":"script","url":"panel.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]}]}"#,
    );
    let config = temp_file("rollout-config.json", br#"{"values":{}}"#);
    let (stdout, _, code) = text(&run(&["check", "--manifest", &manifest, "--config", &config]));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "rollout: release 2026.12.0 goes to 10 % of desks\nrelease 2026.12.0: would boot (0 errors, 0 warnings)\n"
    );
    let (stdout, _, _) = text(&run(&["check", "--format", "json", "--manifest", &manifest, "--config", &config]));
    assert!(stdout.starts_with(r#"{"release":"2026.12.0","rollout":10,"bootable":true,"#), "{stdout}");
    let (stdout, _, _) = text(&run(&["schema", "--manifest", &manifest]));
    assert!(
        stdout.contains("desk-loader runtime configuration for release 2026.12.0, rolled out to 10 % of desks"),
        "{stdout}"
    );
    let bad = temp_file("rollout-bad.json", br#"{"format":1,"releases":[{"id":"r","rollout":120,"assets":[{"type":"script","url":"p.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]}]}"#);
    let (_, stderr, code) = text(&run(&["check", "--manifest", &bad, "--config", &config]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("releases[0].rollout: expected a percentage of desks from 0 to 100, found the number 120"),
        "{stderr}"
    );
}

#[test]
fn embed_preloads_no_release_that_only_some_desks_start_unless_the_desk_is_known() {
    let manifest = temp_file(
        "embed-rollout-manifest.json",
        br#"{"format":1,"releases":[
            {"id":"2026.12.0","rollout":10,"assets":[{"type":"script","url":"new.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]},
            {"id":"2026.11.1","assets":[{"type":"script","url":"old.js","integrity":"sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}]}]}"#,
    );
    let config = temp_file("embed-rollout-config.json", br#"{"values":{}}"#);
    // agent-1 is inside a 10 % rollout of 2026.12.0 (tests/boot.rs).
    for (options, preloads) in [
        (None, None),
        (Some(r#"{"deskId":"agent-1"}"#), Some("new.js")),
        (Some(r#"{"deskId":"agent-2"}"#), Some("old.js")),
    ] {
        let mut args = vec!["embed", "--manifest", &manifest, "--config", &config];
        let file = options.map(|o| temp_file(&format!("embed-rollout-options-{}.json", o.len()), o.as_bytes()));
        if let Some(f) = &file {
            args.extend(["--options", f]);
        }
        let (out, err, code) = text(&run(&args));
        assert_eq!(code, 0, "{err}");
        match preloads {
            None => {
                assert!(
                    err.contains("release 2026.12.0 is rolled out to a share of desks and the options give no deskId"),
                    "{err}"
                );
                assert!(!out.contains("href=\"new.js\"") && !out.contains("href=\"old.js\""), "{out}");
            }
            Some(file) => assert!(out.contains(&format!("href=\"{file}\"")), "{options:?}: {out}"),
        }
    }
}

const VITE: &str = "tests/fixtures/vite/.vite/manifest.json";

#[test]
fn release_writes_a_release_entry_from_vites_build_manifest_with_every_files_integrity() {
    let (out, err, code) =
        text(&run(&["release", "--vite", VITE, "--id", "2026.12.9", "--base", "https://cdn.desk.example/p/"]));
    assert_eq!(code, 0, "{err}");
    let entry: serde_json::Value = serde_json::from_str(&out).expect("the entry is JSON");
    let sri = |file: &str| {
        desk_loader_core::sri::integrity(&std::fs::read(at(&format!("tests/fixtures/vite/{file}"))).unwrap())
    };
    let asset = |kind: &str, file: &str| serde_json::json!({"type": kind, "url": format!("https://cdn.desk.example/p/{file}"), "integrity": sri(file)});
    // Stylesheets first (the entry's, then the lazy chunk's), the chunks in
    // the order the entry reaches them (static, then lazy), the entry last.
    assert_eq!(
        entry,
        serde_json::json!({"id": "2026.12.9", "assets": [
            asset("style", "assets/main-D4.css"),
            asset("style", "assets/Details-E5.css"),
            asset("chunk", "assets/vendor-B2.js"),
            asset("chunk", "assets/Details-C3.js"),
            asset("module", "assets/main-A1.js"),
        ]})
    );
    // One asset per line, to paste into a manifest.
    assert_eq!(out.lines().filter(|l| l.trim_start().starts_with("{\"type\"")).count(), 5);
    // --with adds what the build cannot know; the loader's rules read the result.
    let with = temp_file("with.json", br#"{"backend": ">=43", "rollout": 10}"#);
    let (out, err, code) =
        text(&run(&["release", "--vite", VITE, "--id", "2026.12.9", "--base", "/p/", "--with", &with]));
    assert_eq!(code, 0, "{err}");
    let entry: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((entry["backend"].as_str(), entry["rollout"].as_f64()), (Some(">=43"), Some(10.0)));
}

#[test]
fn release_refuses_what_it_cannot_use_and_says_why() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["release", "--vite", VITE, "--id", "1"],
            "release needs one of --vite FILE and --esbuild FILE, --id ID and --base URL",
        ),
        (
            &["release", "--vite", "tests/fixtures/vite/none.json", "--id", "1", "--base", "/"],
            "none.json: cannot be read: no such file",
        ),
        (&["release", "--vite", VITE, "--id", "", "--base", "/"], "would not be usable"),
        (
            &["release", "--manifest", VITE, "--vite", VITE, "--id", "1", "--base", "/"],
            "release takes --vite or --esbuild, --id, --base, --with and --out",
        ),
        (
            &["release", "--vite", VITE, "--id", "1", "--base", "/", "--out", "tests/fixtures/"],
            "tests/fixtures/assets/main-D4.css: cannot be read: no such file",
        ),
        (&["release", "--vite", VITE, "--id", "1", "--base", "javascript:alert(1)//"], "would not be usable"),
    ];
    for (args, says) in cases {
        let (out, err, code) = text(&run(args));
        assert_eq!((out.as_str(), code), ("", 2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let two = temp_file(
        "two-entries.json",
        br#"{"a.js": {"file": "a.js", "isEntry": true}, "b.js": {"file": "b.js", "isEntry": true}}"#,
    );
    let (_, err, code) = text(&run(&["release", "--vite", &two, "--id", "1", "--base", "/"]));
    assert_eq!(code, 2);
    assert!(err.contains("2 entry chunks; a release has one: a.js, b.js"), "{err}");
    let with = temp_file("with-id.json", br#"{"id": "other"}"#);
    let (_, err, _) = text(&run(&["release", "--vite", VITE, "--id", "1", "--base", "/", "--with", &with]));
    assert!(err.contains("--with may not set `id`"), "{err}");
}

#[test]
fn embed_writes_an_import_map_first_with_every_module_and_chunk_of_every_release() {
    let (entry, err, code) = text(&run(&["release", "--vite", VITE, "--id", "2026.12.9", "--base", "/p/"]));
    assert_eq!(code, 0, "{err}");
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    let manifest = serde_json::json!({"format": 1, "releases": [entry.clone()]});
    let manifest = temp_file("chunked-manifest.json", manifest.to_string().as_bytes());
    let config = temp_file("empty-config.json", br#"{"values": {}}"#);
    let (out, err, code) = text(&run(&["embed", "--manifest", &manifest, "--config", &config]));
    assert_eq!(code, 0, "{err}");
    let head = out.split("<!-- in <body> -->").next().unwrap();
    let first = head.lines().nth(1).unwrap();
    assert!(
        first.starts_with("<script type=\"importmap\">"),
        "the map comes before any module or modulepreload: {head}"
    );
    let map: serde_json::Value =
        serde_json::from_str(first.trim_start_matches("<script type=\"importmap\">").trim_end_matches("</script>"))
            .unwrap();
    let listed: Vec<(&str, &str)> = entry["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] != "style")
        .map(|a| (a["url"].as_str().unwrap(), a["integrity"].as_str().unwrap()))
        .collect();
    assert_eq!(map["integrity"].as_object().unwrap().len(), listed.len());
    for (url, sri) in listed {
        assert_eq!(map["integrity"][url], sri, "{url}");
    }
    // A manifest without chunks keeps the embed as it was: no map.
    let (out, _, _) = text(&run(&["embed", "--manifest", "www/manifest.json", "--config", "www/config.json"]));
    assert!(!out.contains("importmap"));
}

#[test]
fn release_reads_esbuilds_metafile_too() {
    // tests/fixtures/esbuild/dist/ is esbuild 0.24's output of src/ with
    // --bundle --splitting --format=esm --metafile: a shared chunk, a lazy
    // chunk, and each entry's CSS bundle.
    let dist = "tests/fixtures/esbuild/dist/";
    let args = [
        "release",
        "--esbuild",
        "tests/fixtures/esbuild/dist/meta.json",
        "--out",
        dist,
        "--id",
        "2026.12.9",
        "--base",
        "/p/",
    ];
    let (out, err, code) = text(&run(&args));
    assert_eq!(code, 0, "{err}");
    let entry: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sri = |file: &str| desk_loader_core::sri::integrity(&std::fs::read(at(&format!("{dist}{file}"))).unwrap());
    let asset =
        |kind: &str, file: &str| serde_json::json!({"type": kind, "url": format!("/p/{file}"), "integrity": sri(file)});
    assert_eq!(
        entry["assets"],
        serde_json::json!([
            asset("style", "main-QM77HVMU.css"),
            asset("style", "Details-UOR2Y3R7.css"),
            asset("chunk", "chunk-TYOOQ6M6.js"),
            asset("chunk", "Details-MHOOMC5X.js"),
            asset("module", "main-WSI5VMUR.js"),
        ])
    );
    // One build manifest, not two.
    let (_, err, code) = text(&run(&["release", "--vite", VITE, "--esbuild", "x.json", "--id", "1", "--base", "/"]));
    assert_eq!(code, 2);
    assert!(err.contains("release needs one of --vite FILE and --esbuild FILE"), "{err}");
    // Not a metafile.
    let (_, err, code) = text(&run(&["release", "--esbuild", VITE, "--id", "1", "--base", "/"]));
    assert_eq!(code, 2);
    assert!(err.contains("the metafile has no \"outputs\" object"), "{err}");
}

#[test]
fn importmap_prints_the_map_a_page_that_reads_its_manifest_from_a_url_needs() {
    let (entry, _, _) = text(&run(&["release", "--vite", VITE, "--id", "2026.12.9", "--base", "/p/"]));
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    let manifest = temp_file(
        "importmap-manifest.json",
        serde_json::json!({"format": 1, "releases": [entry]}).to_string().as_bytes(),
    );
    let (out, err, code) = text(&run(&["importmap", "--manifest", &manifest]));
    assert_eq!((code, err.as_str()), (0, ""));
    // The very line the embed writes first in <head>.
    let config = temp_file("importmap-config.json", br#"{"values": {}}"#);
    let (embed, _, _) = text(&run(&["embed", "--manifest", &manifest, "--config", &config]));
    assert_eq!(embed.lines().nth(1), out.lines().next());
    assert!(
        out.starts_with("<script type=\"importmap\">{\"integrity\":{\"/p/assets/vendor-B2.js\":\"sha384-"),
        "{out}"
    );
    // No chunks, no map: said on standard error.
    let (out, err, code) = text(&run(&["importmap", "--manifest", "www/manifest.json"]));
    assert_eq!((out.as_str(), code), ("", 0));
    assert!(err.contains("no release of the manifest has chunks"), "{err}");
}
