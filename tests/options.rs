//! The host page's options, read in one place (`core::options`): every value
//! of the wrong type or out of range is a warning and its default, never a
//! silent default; only options that leave nothing to boot are refused.
#![cfg(not(target_arch = "wasm32"))]

use desk_loader_core::boot::{ReportFormat, DEFAULT_READY_DEADLINE_MS};
use desk_loader_core::options::{parse, Options, Source};
use desk_loader_core::problem::{Code, Problem};
use desk_loader_core::value::Value;

const PAGE: &str = "https://desk.example";

fn read(json: &str) -> (Options, Vec<Problem>) {
    parse(&serde_json::from_str::<Value>(json).unwrap(), PAGE, "").unwrap()
}

fn messages(problems: &[Problem]) -> Vec<&str> {
    assert!(problems.iter().all(|p| p.code == Code::OptionsInvalid && !p.is_error()), "{problems:?}");
    problems.iter().map(|p| p.message.as_str()).collect()
}

#[test]
fn defaults_with_no_options() {
    let (o, problems) = read("{}");
    assert!(problems.is_empty());
    assert_eq!(o.manifest, Source::Inline("desk-manifest".into()));
    assert_eq!(o.config, vec![Source::Inline("desk-config".into())]);
    assert_eq!(o.ready_deadline_ms, DEFAULT_READY_DEADLINE_MS);
    assert_eq!(o.report_format, ReportFormat::Json);
}

#[test]
fn a_zero_deadline_is_a_warning_and_the_default_not_a_silent_default() {
    let (o, problems) = read(r#"{"readyDeadlineMs": 0, "fetchTimeoutMs": "8000", "reportTimeoutMs": -1}"#);
    assert_eq!(o.ready_deadline_ms, DEFAULT_READY_DEADLINE_MS);
    assert_eq!(
        messages(&problems),
        [
            "options.readyDeadlineMs: expected a number of ms above 0, found the number 0; using 10000",
            "options.reportTimeoutMs: expected a number of ms above 0, found the number -1; using 5000",
            "options.fetchTimeoutMs: expected a number of ms above 0, found the string \"8000\"; using 8000",
        ]
    );
}

#[test]
fn wrong_types_unknown_keys_and_a_report_url_elsewhere_are_warnings() {
    let (o, problems) = read(
        r#"{"reportFormat": "xml", "reportUrl": "https://elsewhere.example/r", "allowedOrigins": "https://cdn.example",
            "allowSameOriginWithoutIntegrity": "yes", "readyDeadline": 3000}"#,
    );
    assert_eq!(o.report_url, None);
    assert_eq!(o.report_format, ReportFormat::Json);
    assert!(o.allowed_origins.is_empty() && !o.same_origin_without_integrity);
    assert_eq!(
        messages(&problems),
        [
            "options.readyDeadline: not an option, ignored",
            "options.allowedOrigins: expected an array of origins, found the string \"https://cdn.example\"; using none",
            "options.reportUrl: \"https://elsewhere.example/r\": not on this page's origin nor on an origin the host page allows; reports go to the console only",
            "options.reportFormat: expected \"json\" or \"otlp\", found the string \"xml\"; using \"json\"",
            "options.allowSameOriginWithoutIntegrity: expected true or false, found the string \"yes\"; using false",
        ]
    );
}

#[test]
fn sources_are_urls_elements_or_objects_and_host_config_comes_last() {
    let (o, problems) = read(
        r##"{"manifest": "/m.json", "config": ["c.json", "#inline", {}, 7], "hostConfig": {}, "reportUrl": "/r"}"##,
    );
    assert_eq!(o.manifest, Source::Url("/m.json".into()));
    assert_eq!(
        o.config,
        vec![Source::Url("c.json".into()), Source::Inline("inline".into()), Source::Object, Source::Object]
    );
    assert_eq!(o.report_url.as_deref(), Some("/r"));
    assert_eq!(messages(&problems), ["options.config[3]: not a URL, \"#id\" or an object; left out"]);
    assert_eq!(o.config.len(), 4);
}

#[test]
fn options_that_leave_nothing_to_boot_are_refused() {
    let refuse = |json: &str| parse(&serde_json::from_str::<Value>(json).unwrap(), PAGE, "").unwrap_err();
    assert_eq!(refuse(r#"{"config": []}"#), "desk-loader: `config` is an empty list; give at least one source");
    assert_eq!(refuse(r#"{"mount": 3}"#), "desk-loader: `mount` must be a CSS selector or an element");
    assert!(refuse("[1]").starts_with("desk-loader: the options must be an object"));
}

#[test]
fn a_report_url_a_browser_reads_as_another_host_is_refused_with_the_reason() {
    // Issue 27's repros, as a report endpoint: each would post to evil.example.
    for (url, why) in [
        (r"/\\evil.example/r", "it holds a backslash, which browsers read as a slash; write /"),
        (r"https://evil.example\\@desk.example/r", "it holds a backslash, which browsers read as a slash; write /"),
        (r"/\t/evil.example/r", "it holds a tab or line break, which browsers remove before reading the URL"),
        (r"https://desk.example@evil.example/r", "it holds user info (user@host), which hides the host it goes to"),
    ] {
        let (o, problems) = read(&format!(r#"{{"reportUrl": "{url}", "allowedOrigins": ["https://cdn.example"]}}"#));
        assert_eq!(o.report_url, None, "{url}");
        let message = &messages(&problems)[0];
        assert!(message.starts_with("options.reportUrl: ") && message.contains(why), "{url}: {message}");
    }
}

#[test]
fn allowed_origins_are_read_as_browsers_serialize_them_and_anything_else_is_left_out() {
    let (o, problems) = read(
        r#"{"allowedOrigins": ["https://CDN.example:443/", "http://127.0.0.1:8080", "https://cdn.example/panel", "cdn.example"]}"#,
    );
    assert_eq!(o.allowed_origins, ["https://cdn.example", "http://127.0.0.1:8080"]);
    assert_eq!(
        messages(&problems),
        [
            "options.allowedOrigins[2]: \"https://cdn.example/panel\": expected an origin: a scheme, a host and a port only; left out",
            "options.allowedOrigins[3]: \"cdn.example\": expected an origin: a scheme, a host and a port only; left out",
        ]
    );
}

#[test]
fn rechecks_are_on_by_default_off_with_zero_and_never_more_often_than_once_a_second() {
    let (o, problems) = read("{}");
    assert_eq!((o.recheck_ms, o.recheck_max_ms), (30_000.0, 180_000.0));
    assert!(problems.is_empty());
    assert_eq!(read(r#"{"recheckMs": 0}"#).0.recheck_ms, 0.0);
    let (o, _) = read(r#"{"recheckMs": 1, "recheckMaxMs": 5}"#);
    assert_eq!((o.recheck_ms, o.recheck_max_ms), (1_000.0, 1_000.0));
    let (o, problems) = read(r#"{"recheckMs": "soon"}"#);
    assert_eq!(o.recheck_ms, 30_000.0);
    assert_eq!(
        messages(&problems),
        ["options.recheckMs: expected a number of ms, 0 to turn rechecks off, found the string \"soon\"; using 30000"]
    );
}

#[test]
fn the_integrity_the_pages_import_maps_give_is_read_as_the_browser_reads_a_map() {
    use desk_loader_core::options::import_map_integrity;
    let maps = [
        r#"{"imports": {}, "integrity": {"/a.js": "sha384-A", "https://cdn.example/b.js": "sha384-B"}}"#.to_owned(),
        r#"{"integrity": {"/c.js": "sha384-C", "/d.js": 7}}"#.to_owned(),
        "not json: a map the browser refuses gives nothing".to_owned(),
        r#"{"imports": {"x": "/x.js"}}"#.to_owned(),
    ];
    assert_eq!(import_map_integrity(&maps), ["sha384-A", "sha384-B", "sha384-C"]);
    assert!(import_map_integrity(&[]).is_empty());
}
