//! What a fleet counts and where reports go: the counting fields, failures
//! kept until delivered, and the OTLP logs request (`docs/report.md`).

use desk_loader_core::boot::{Action, Boot, Doc, Event, Options, Rendering, ReportFormat, Start};
use desk_loader_core::record::apply;
use desk_loader_core::record::Update;
use desk_loader_core::value::Value;

const SHA: &str = "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const WALL: f64 = 1_800_000_000_000.0;
const CONFIG: &str = r#"{"values": {}}"#;

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON is valid")
}

fn manifest(ids: &[&str]) -> String {
    let releases: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(r#"{{"id": "{id}", "assets": [{{"type": "script", "url": "p/{id}.js", "integrity": "{SHA}"}}]}}"#)
        })
        .collect();
    format!(r#"{{"format": 1, "releases": [{}]}}"#, releases.join(","))
}

/// One boot, up to its documents; returns the boot and every action so far.
fn boot(format: ReportFormat, id: &str, manifest: &str, record: &Value) -> (Boot, Vec<Action>) {
    let to = Some("https://collector.example/v1/logs".to_owned());
    let mut boot = Boot::new(Options { report_format: format, report_url: to, ..Options::default() });
    boot.start(Start { now_ms: 0.0, wall_ms: WALL, boot_id: id.to_owned(), ..Start::default() });
    boot.handle(Event::Loaded(Doc::Manifest, Ok(json(manifest))), 5.0);
    boot.handle(Event::Loaded(Doc::Config(0), Ok(json(CONFIG))), 6.0);
    boot.handle(Event::Loaded(Doc::Record, Ok(record.clone())), 7.0);
    let actions = drain(&mut boot);
    (boot, actions)
}

/// The attempt's one file loaded, its bundle registered, and its panel ready.
fn ready(boot: &mut Boot, attempt: u32, now_ms: f64) -> Vec<Action> {
    boot.handle(Event::PanelRegistered { attempt, registration: 0 }, now_ms);
    boot.handle(Event::AssetLoaded { attempt, index: 0 }, now_ms);
    boot.handle(Event::PanelReady { attempt }, now_ms);
    boot.handle(Event::Looked { attempt, rendered: Rendering::PANEL }, now_ms);
    drain(boot)
}

fn drain(boot: &mut Boot) -> Vec<Action> {
    std::iter::from_fn(|| boot.next_action()).collect()
}

/// The current attempt's id, from the last `Inject`.
fn attempt(actions: &[Action]) -> u32 {
    actions.iter().rev().find_map(|a| if let Action::Inject(at) = a { Some(at.id) } else { None }).unwrap()
}

fn report(actions: &[Action]) -> (&Value, &str, &str) {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Report { report, body, content_type, .. } => Some((report, body.as_str(), *content_type)),
            _ => None,
        })
        .expect("a report")
}

fn updates(actions: &[Action]) -> Vec<&Update> {
    actions.iter().filter_map(|a| if let Action::UpdateRecord(u) = a { Some(u) } else { None }).collect()
}

/// The record after these updates.
fn stored(before: &Value, actions: &[Action]) -> Value {
    updates(actions).into_iter().fold(before.clone(), |r, u| apply(&r, u, WALL))
}

#[test]
fn a_report_counts_its_boot_and_what_it_took() {
    let (mut b, actions) = boot(ReportFormat::Json, "00000000000000a1", &manifest(&["r2", "r1"]), &Value::Null);
    let first = attempt(&actions);
    b.handle(
        Event::PanelFailed { attempt: first, code: desk_loader_core::problem::Code::PanelThrew, detail: "x".into() },
        20.0,
    );
    let second = attempt(&drain(&mut b));
    let actions = ready(&mut b, second, 30.0);
    let (r, body, content_type) = report(&actions);
    for (key, value) in [
        ("bootId", Value::from("00000000000000a1")),
        ("served", Value::from("r1")),
        ("fallbacks", Value::Number(1.0)),
        ("recovered", Value::Bool(true)),
    ] {
        assert_eq!(r.get(key), Some(&value), "{key} in {}", r.to_json());
    }
    assert_eq!((body, content_type), (r.to_json().as_str(), "text/plain;charset=UTF-8"));
}

#[test]
fn a_failure_is_kept_until_a_report_carries_it_to_the_endpoint() {
    // A failed boot: its summary is kept before its report goes out.
    let (_, actions) = boot(ReportFormat::Json, "00000000000000f1", &manifest(&[]), &Value::Null);
    let (failed, _, _) = report(&actions);
    assert_eq!(failed.get("outcome"), Some(&Value::from("failed")));
    let unsent = actions.iter().position(|a| matches!(a, Action::UpdateRecord(Update::Unsent(_)))).unwrap();
    let sent = actions.iter().position(|a| matches!(a, Action::Report { .. })).unwrap();
    assert!(unsent < sent, "kept first: a page closed during the send loses nothing");
    let record = stored(&Value::Null, &actions);
    assert!(
        record.to_json().contains(r#""unsent":[{"bootId":"00000000000000f1","outcome":"failed""#),
        "{}",
        record.to_json()
    );

    // Its report was never delivered. The next boot works, and carries it.
    let (mut b, actions) = boot(ReportFormat::Json, "00000000000000f2", &manifest(&["r1"]), &record);
    let actions = ready(&mut b, attempt(&actions), 30.0);
    let (r, _, _) = report(&actions);
    let earlier = match r.get("earlier") {
        Some(Value::Array(e)) => e.clone(),
        other => panic!("earlier: {other:?}"),
    };
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].get("bootId"), Some(&Value::from("00000000000000f1")));
    assert_eq!(earlier[0].get("code"), failed.get("code"));

    // Delivered: both boots are off the record.
    b.handle(Event::ReportSent { delivered: true }, 40.0);
    let done = drain(&mut b);
    assert_eq!(
        updates(&done),
        [&Update::Delivered(vec!["00000000000000f1".to_owned(), "00000000000000f2".to_owned()])]
    );
    assert!(!stored(&record, &done).to_json().contains("unsent"));
}

#[test]
fn a_report_not_delivered_leaves_the_record_as_it_was() {
    let (mut b, _) = boot(ReportFormat::Json, "00000000000000f3", &manifest(&[]), &Value::Null);
    b.handle(Event::ReportSent { delivered: false }, 40.0);
    assert!(updates(&drain(&mut b)).is_empty());
}

#[test]
fn a_stored_summary_is_read_as_untrusted_input() {
    let hostile = json(
        r#"{"format": 1, "quarantine": [], "unsent": [
            {"bootId": "b1", "outcome": "failed", "code": 7, "secret": "x", "release": "<script>"},
            {"outcome": "failed"},
            "not an object"
        ]}"#,
    );
    let (record, problems) = desk_loader_core::record::Record::decode(&hostile);
    assert_eq!(record.unsent.len(), 1, "only the one with a boot id");
    let kept = record.unsent[0].to_json();
    assert!(kept.contains(r#""code":null"#) && !kept.contains("secret"), "{kept}");
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn an_otlp_report_is_one_log_record_per_boot() {
    // A failure kept from an earlier boot, then a boot that fails too.
    let (_, actions) = boot(ReportFormat::Json, "00000000000000e1", &manifest(&[]), &Value::Null);
    let record = stored(&Value::Null, &actions);
    let (_, actions) = boot(ReportFormat::Otlp, "00000000000000e2", &manifest(&[]), &record);
    let (r, body, content_type) = report(&actions);
    assert_eq!(content_type, "application/json");
    let request: serde_json::Value = serde_json::from_str(body).unwrap();
    let resource = &request["resourceLogs"][0];
    assert_eq!(
        resource["resource"]["attributes"][0],
        serde_json::json!({"key": "service.name", "value": {"stringValue": "desk-loader"}})
    );
    let logs = resource["scopeLogs"][0]["logRecords"].as_array().unwrap();
    assert_eq!(logs.len(), 2, "this boot, then the earlier one");
    let attr = |log: &serde_json::Value, key: &str| {
        log["attributes"].as_array().unwrap().iter().find(|a| a["key"] == key).map(|a| a["value"].clone())
    };
    assert_eq!(logs[0]["severityNumber"], 17);
    assert_eq!(logs[0]["severityText"], "ERROR");
    assert_eq!(attr(&logs[0], "desk_loader.boot.id"), Some(serde_json::json!({"stringValue": "00000000000000e2"})));
    assert_eq!(
        attr(&logs[0], "error.type"),
        Some(serde_json::json!({"stringValue": r.get("code").unwrap().as_str().unwrap()}))
    );
    assert_eq!(attr(&logs[0], "desk_loader.fallbacks"), Some(serde_json::json!({"intValue": "0"})));
    assert!(attr(&logs[0], "desk_loader.problems").is_some());
    assert_eq!(attr(&logs[1], "desk_loader.boot.id"), Some(serde_json::json!({"stringValue": "00000000000000e1"})));
    assert_eq!(attr(&logs[1], "desk_loader.delivered_late"), Some(serde_json::json!({"boolValue": true})));
    // timeUnixNano: the report's `at`, in ns, as a string (proto3's JSON for int64).
    assert_eq!(logs[0]["timeUnixNano"], format!("{}000000", WALL as i64));
    assert!(attr(&logs[0], "user_agent.original").is_none(), "never the full user-agent string");
}

/// Replaces what stands between `<!-- example: NAME -->` and the next
/// `<!-- example: end -->` in `doc` with `text` in a fenced block of
/// `lang`; with `UPDATE_DOCS=1` writes it, else fails if it differs.
fn example(doc: &str, name: &str, lang: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let page = std::fs::read_to_string(&path).unwrap();
    let start = format!("<!-- example: {name} -->\n");
    let a = page.find(&start).unwrap_or_else(|| panic!("{doc} lacks {start}")) + start.len();
    let b = a + page[a..].find("<!-- example: end -->").unwrap_or_else(|| panic!("{doc}: {name} has no end"));
    let block = format!("```{lang}\n{text}\n```\n");
    if page[a..b] != block {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, format!("{}{block}{}", &page[..a], &page[b..])).unwrap();
        } else {
            panic!(
                "{doc}'s {name} example is not what the product says: run `UPDATE_DOCS=1 cargo test --test reports`"
            );
        }
    }
}

/// The 2023-08-11 incident, as a desk in production booted it: the fixture's
/// manifest and production configuration, no record; the report in `format`.
fn incident(format: ReportFormat) -> (Value, String) {
    let fixture = |f: &str| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident-2023-08-11").join(f),
        )
        .unwrap()
    };
    let mut b = Boot::new(Options { report_format: format, ..Options::default() });
    b.start(Start {
        now_ms: 0.0,
        wall_ms: 1_691_739_312_000.0,
        boot_id: "5f0c2a9e81d4b736".to_owned(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Safari/537.36"
            .to_owned(),
        languages: vec!["en-US".to_owned()],
        ..Start::default()
    });
    b.handle(Event::Loaded(Doc::Manifest, Ok(json(&fixture("manifest.json")))), 41.0);
    b.handle(Event::Loaded(Doc::Config(0), Ok(json(&fixture("config.production.json")))), 44.0);
    b.handle(Event::Loaded(Doc::Record, Ok(Value::Null)), 47.0);
    let actions = drain(&mut b);
    let (r, body, _) = report(&actions);
    (r.clone(), body.to_owned())
}

/// JSON with two-space indents, keys in the product's order.
fn pretty(text: &str) -> String {
    fn write(v: &Value, depth: usize, out: &mut String) {
        let pad = |n: usize| "  ".repeat(n);
        match v {
            Value::Object(members) if !members.is_empty() => {
                out.push_str("{\n");
                for (i, (k, v)) in members.iter().enumerate() {
                    out.push_str(&format!("{}{}: ", pad(depth + 1), Value::from(k.as_str()).to_json()));
                    write(v, depth + 1, out);
                    out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
                }
                out.push_str(&format!("{}}}", pad(depth)));
            }
            Value::Array(items) if !items.is_empty() => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    out.push_str(&pad(depth + 1));
                    write(v, depth + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&format!("{}]", pad(depth)));
            }
            other => out.push_str(&other.to_json()),
        }
    }
    let mut out = String::new();
    write(&json(text), 0, &mut out);
    out
}

#[test]
fn the_docs_show_the_incidents_report_as_the_product_writes_it() {
    let (report, _) = incident(ReportFormat::Json);
    assert_eq!(report.get("code"), Some(&Value::from("config.missing")));
    assert_eq!(report.get("release"), Some(&Value::from("2023.08.11")));
    example("docs/report.md", "incident", "json", &pretty(&report.to_json()));
    let (_, otlp) = incident(ReportFormat::Otlp);
    assert!(otlp.contains("ENGINE_GATEWAY_URL"));
    example("docs/operations.md", "incident-otlp", "json", &pretty(&otlp));
}
