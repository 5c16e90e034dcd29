//! Reports and the error screen's content: bounded, redacted, in the agent's language.

use desk_loader_core::problem::{Code, Problem};
use desk_loader_core::report::{
    build, iso_time, screen, support_code, user_agent_class, Input, Timings, MAX_REPORT_BYTES,
};
use desk_loader_core::texts::{pick, LANGUAGES};
use desk_loader_core::value::Value;

fn input<'a>(problems: &'a [Problem], path: &'a [Value]) -> Input<'a> {
    Input {
        boot_id: "0123456789abcdef",
        outcome: "failed",
        release: Some("r1"),
        code: Some(Code::ConfigMissing),
        support_code: Some("config.missing-ABC123"),
        backend_schema: Some(43),
        path,
        problems,
        timings: Timings {
            manifest_ms: Some(12.4),
            config_ms: Some(15.0),
            bundle_ms: None,
            ready_ms: None,
            total_ms: 40.6,
        },
        error_screen_ms: None,
        user_agent: "desktop",
        wall_ms: 1_795_000_000_000.0,
        earlier: &[],
    }
}

#[test]
fn a_report_says_what_happened() {
    let problems = vec![Problem::error(Code::ConfigMissing, "API_URL: required by the core panel, but not set")
        .with_variable("API_URL")];
    let report = build(&input(&problems, &[]));
    let text = report.to_json();
    assert!(text.starts_with(r#"{"format":1,"outcome":"failed","release":"r1","code":"config.missing","supportCode":"config.missing-ABC123","backendSchema":43,"userAgent":"desktop","at":"2026-11-18T"#), "{text}");
    assert!(
        text.contains(r#""timings":{"manifestMs":12,"configMs":15,"bundleMs":null,"readyMs":null,"totalMs":41}"#),
        "{text}"
    );
    assert!(text.contains(r#""problemsDropped":0"#));
}

#[test]
fn a_report_is_bounded_errors_first() {
    let mut problems: Vec<Problem> = (0..400)
        .map(|i| {
            Problem::warning(Code::ConfigUnknown, format!("X_{i}: set, but this release declares no such variable"))
        })
        .collect();
    problems.push(Problem::error(Code::ConfigMissing, "API_URL: required".repeat(50)));
    let report = build(&input(&problems, &[]));
    let text = report.to_json();
    assert!(text.len() <= MAX_REPORT_BYTES, "{} bytes", text.len());
    let kept = match report.get("problems") {
        Some(Value::Array(p)) => p.clone(),
        _ => panic!(),
    };
    assert_eq!(kept[0].get("code"), Some(&Value::from("config.missing")), "errors come first");
    let message = kept[0].get("message").and_then(Value::as_str).unwrap();
    assert_eq!(message.chars().count(), 201, "long texts are cut");
    let dropped =
        report.get("problemsDropped").and_then(|v| if let Value::Number(n) = v { Some(*n) } else { None }).unwrap();
    assert_eq!(kept.len() + dropped as usize, 401);
}

#[test]
fn times_and_codes() {
    assert_eq!(iso_time(0.0), "1970-01-01T00:00:00Z");
    assert_eq!(iso_time(951_782_400_000.0), "2000-02-29T00:00:00Z");
    assert_eq!(iso_time(1_795_000_000_000.0), "2026-11-18T11:06:40Z");
    assert_eq!(support_code(Code::PanelThrew, 1_795_000_000_000.0), "panel.threw-TOP2V4");
    assert_ne!(
        support_code(Code::PanelThrew, 1_795_000_001_000.0),
        support_code(Code::PanelThrew, 1_795_000_000_000.0)
    );
}

#[test]
fn user_agents_are_reported_as_a_class_only() {
    let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120 Mobile Safari/537.36";
    let ios =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
    let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
    assert_eq!(user_agent_class(android), "android-webview");
    assert_eq!(user_agent_class(ios), "ios-webview");
    assert_eq!(user_agent_class(safari), "mobile");
    assert_eq!(user_agent_class(desktop), "desktop");
    assert_eq!(user_agent_class(""), "unknown");
}

#[test]
fn every_language_fills_every_text() {
    for t in LANGUAGES {
        for (name, text) in [
            ("title", t.title),
            ("body", t.body),
            ("action", t.action),
            ("retry", t.retry),
            ("support_code", t.support_code),
            ("details", t.details),
        ] {
            assert!(!text.trim().is_empty(), "{}: {name} is empty", t.lang);
        }
        assert!(t.labels.iter().all(|l| !l.trim().is_empty()), "{}: a label is empty", t.lang);
    }
    let langs: Vec<&str> = LANGUAGES.iter().map(|t| t.lang).collect();
    assert_eq!(langs, vec!["en", "fr"]);
}

#[test]
fn the_language_is_the_first_supported_preference() {
    assert_eq!(pick(["fr-CA", "en"]).lang, "fr");
    assert_eq!(pick(["de-DE", "FR"]).lang, "fr");
    assert_eq!(pick(["de", "es"]).lang, "en");
    assert_eq!(pick([]).lang, "en");
}

#[test]
fn the_screen_names_the_variables_and_the_phase() {
    let problems = vec![
        Problem::error(Code::ConfigMissing, "API_URL: required").with_variable("API_URL").with_release("r1"),
        Problem::error(Code::ConfigType, "POLL: expected an integer").with_variable("POLL").with_release("r1"),
        Problem::warning(Code::ConfigUnknown, "X: unknown").with_variable("X").with_release("r1"),
        // Another release's variable is not this screen's.
        Problem::error(Code::ConfigMissing, "OTHER: required").with_variable("OTHER").with_release("r0"),
    ];
    let s = screen(pick(["fr"]), Some(&problems[1]), &problems, 1_795_000_000_000.0);
    assert_eq!(s.texts.lang, "fr");
    let rows: Vec<(&str, &str)> = s.rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        rows,
        vec![
            ("Code d’erreur", "config.type"),
            ("Version", "r1"),
            ("Étape", "configuration"),
            ("Variables en cause", "API_URL, POLL"),
            ("Heure", "2026-11-18T11:06:40Z"),
        ]
    );
    // The technical details list every error, the other release's too.
    assert_eq!(s.messages, vec!["API_URL: required", "POLL: expected an integer", "OTHER: required"]);
}

#[test]
fn bridge_messages_are_typed() {
    use desk_loader_core::boot::{State, Status};
    let s = Status { state: State::Failed, release: Some("r1".into()), attempt: Some(2), code: Some(Code::PanelThrew) };
    assert_eq!(
        s.bridge_message().to_json(),
        r#"{"type":"desk-loader:state","state":"failed","release":"r1","attempt":2,"code":"panel.threw"}"#
    );
    let r = desk_loader_core::report::bridge_message(&Value::from("x"));
    assert_eq!(r.to_json(), r#"{"type":"desk-loader:report","report":"x"}"#);
}
