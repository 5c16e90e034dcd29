//! The boot state machine, driven natively through simulated time.

use desk_loader::core::boot::{Action, Boot, Doc, Event, LoadError, Options, State};
use desk_loader::core::problem::Code;
use desk_loader::core::value::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON is valid")
}

const MANIFEST: &str = r#"{
  "format": 1,
  "releases": [
    { "id": "r2", "assets": [
        { "type": "style", "url": "p/r2.css", "integrity": "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        { "type": "script", "url": "p/r2.js", "integrity": "sha384-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" } ],
      "config": { "variables": { "API_URL": { "type": "url", "required": true } } } },
    { "id": "r1", "assets": [
        { "type": "script", "url": "p/r1.js", "integrity": "sha384-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" } ] }
  ]
}"#;

/// Drains the machine's actions.
fn drain(boot: &mut Boot) -> Vec<Action> {
    std::iter::from_fn(|| boot.next_action()).collect()
}

fn started(manifest: &str, config: &str) -> (Boot, Vec<Action>) {
    let mut boot = Boot::new(Options::default());
    boot.start(0.0);
    let first = drain(&mut boot);
    assert_eq!(
        first,
        vec![Action::SetState(State::Loading), Action::Load(Doc::Manifest), Action::Load(Doc::Config(0))]
    );
    boot.handle(Event::Loaded(Doc::Manifest, Ok(json(manifest))), 10.0);
    assert!(drain(&mut boot).is_empty(), "nothing happens before both documents are in");
    boot.handle(Event::Loaded(Doc::Config(0), Ok(json(config))), 20.0);
    let actions = drain(&mut boot);
    (boot, actions)
}

fn injected(actions: &[Action]) -> &desk_loader::core::boot::Attempt {
    actions.iter().find_map(|a| if let Action::Inject(a) = a { Some(a) } else { None }).expect("an Inject action")
}

#[test]
fn loads_the_newest_release_and_records_it_after_ready() {
    let (mut boot, actions) = started(MANIFEST, r#"{"values": {"API_URL": "https://api.example"}}"#);
    let attempt = injected(&actions);
    assert_eq!(attempt.release_id, "r2");
    assert_eq!(attempt.assets.len(), 2);
    assert_eq!(attempt.config, json(r#"{"API_URL": "https://api.example"}"#));
    assert!(actions.contains(&Action::StartTimer { attempt: 1, at_ms: 20.0 + 10_000.0 }));
    assert_eq!(boot.state(), State::Booting);

    boot.handle(Event::PanelReady { attempt: 1 }, 250.0);
    let actions = drain(&mut boot);
    assert_eq!(boot.state(), State::Ready);
    let record =
        actions.iter().find_map(|a| if let Action::StoreRecord(r) = a { Some(r) } else { None }).expect("a record");
    assert_eq!(record.get("release"), Some(&Value::from("r2")));
    let report = actions.iter().find_map(|a| if let Action::Report(r) = a { Some(r) } else { None }).expect("a report");
    assert_eq!(report.get("outcome"), Some(&Value::from("ready")));
    assert_eq!(report.get("elapsedMs"), Some(&Value::Number(250.0)));
}

#[test]
fn a_ready_from_another_attempt_is_ignored() {
    let (mut boot, _) = started(MANIFEST, r#"{"values": {"API_URL": "https://api.example"}}"#);
    boot.handle(Event::PanelReady { attempt: 7 }, 100.0);
    assert!(drain(&mut boot).is_empty());
    assert_eq!(boot.state(), State::Booting);
}

#[test]
fn a_failed_attempt_is_removed_and_the_next_release_starts() {
    let (mut boot, _) = started(MANIFEST, r#"{"values": {"API_URL": "https://api.example"}}"#);
    boot.handle(Event::AttemptFailed { attempt: 1, code: Code::PanelThrew, detail: "boom".into() }, 300.0);
    let actions = drain(&mut boot);
    assert_eq!(actions[0], Action::Remove { attempt: 1 });
    assert_eq!(injected(&actions).release_id, "r1");
    assert_eq!(injected(&actions).id, 2);
    // The stale attempt's ready changes nothing; the new one's does.
    boot.handle(Event::PanelReady { attempt: 1 }, 310.0);
    assert!(drain(&mut boot).is_empty());
    boot.handle(Event::PanelReady { attempt: 2 }, 400.0);
    assert_eq!(boot.state(), State::Ready);
}

#[test]
fn the_deadline_fails_the_attempt() {
    let (mut boot, _) = started(MANIFEST, r#"{"values": {"API_URL": "https://api.example"}}"#);
    boot.handle(Event::TimerFired { attempt: 1 }, 10_020.0);
    assert!(boot.problems().iter().any(|p| p.code == Code::PanelTimeout && p.release.as_deref() == Some("r2")));
}

#[test]
fn nothing_runnable_shows_the_error_screen_and_reports() {
    let manifest = r#"{"format": 1, "releases": [{"id": "only", "assets": [{"type": "script", "url": "a.js",
        "integrity": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}],
        "config": {"variables": {"API_URL": {"type": "url", "required": true}}}}]}"#;
    let (boot, actions) = started(manifest, r#"{"values": {}}"#);
    assert_eq!(boot.state(), State::Failed);
    let failure = actions
        .iter()
        .find_map(|a| if let Action::ShowError(f) = a { Some(f) } else { None })
        .expect("an error screen");
    assert_eq!(failure.code, Code::ConfigMissing);
    assert!(failure.problems.iter().any(|p| p.variable.as_deref() == Some("API_URL")));
    assert!(actions.iter().any(|a| matches!(a, Action::Report(r) if r.get("outcome") == Some(&Value::from("failed")))));
}

#[test]
fn an_unreadable_manifest_fails_with_its_code() {
    let mut boot = Boot::new(Options::default());
    boot.start(0.0);
    drain(&mut boot);
    boot.handle(Event::Loaded(Doc::Manifest, Err(LoadError::Unreadable("HTTP 500".into()))), 5.0);
    boot.handle(Event::Loaded(Doc::Config(0), Ok(json(r#"{"values": {}}"#))), 6.0);
    let actions = drain(&mut boot);
    let failure = actions
        .iter()
        .find_map(|a| if let Action::ShowError(f) = a { Some(f) } else { None })
        .expect("an error screen");
    assert_eq!(failure.code, Code::ManifestUnreadable);
}
