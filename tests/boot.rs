//! The boot state machine, driven natively through simulated time.

use desk_loader_core::boot::{
    Action, Attempt, Boot, Diagnosis, Doc, Event, LoadError, Options, Recovering, Rendering, Start, State, Status,
    DEFAULT_RECHECK_MAX_MS, MAX_RETRIES, RENDER_BOUND_MS,
};
use desk_loader_core::options::Source;
use desk_loader_core::problem::Code;
use desk_loader_core::record::{apply, Update, QUARANTINE_MS};
use desk_loader_core::value::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON is valid")
}

const SHA: &str = "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A second look at a file of [`SHA`]: served with the bytes it lists (the
/// digest of 48 zero bytes)…
fn intact() -> Diagnosis {
    Diagnosis::Served(vec![0; 48])
}

/// … or with other bytes.
fn mismatch() -> Diagnosis {
    Diagnosis::Served(vec![1; 48])
}
const WALL: f64 = 1_800_000_000_000.0;

fn release(id: &str, extra: &str) -> String {
    format!(r#"{{"id": "{id}", "assets": [{{"type": "script", "url": "p/{id}.js", "integrity": "{SHA}"}}] {extra}}}"#)
}

fn manifest(releases: &[String]) -> String {
    format!(r#"{{"format": 1, "releases": [{}]}}"#, releases.join(","))
}

/// A boot and a clock; `advance` feeds the timeouts the boot asks for.
struct Sim {
    boot: Boot,
    now: f64,
    log: Vec<Action>,
}

impl Sim {
    fn new(options: Options) -> Sim {
        Sim { boot: Boot::new(options), now: 0.0, log: Vec::new() }
    }

    /// Starts and answers every load: manifest, one configuration, record.
    fn boot(manifest: &str, config: &str, record: Option<&str>) -> Sim {
        let mut sim = Sim::new(Options::default());
        sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
        sim.drain();
        sim.send(Event::Loaded(Doc::Manifest, Ok(json(manifest))));
        sim.send(Event::Loaded(Doc::Config(0), Ok(json(config))));
        sim.send(Event::Loaded(Doc::Record, Ok(record.map_or(Value::Null, json))));
        sim
    }

    fn drain(&mut self) -> Vec<Action> {
        let new: Vec<Action> = std::iter::from_fn(|| self.boot.next_action()).collect();
        self.log.extend(new.iter().cloned());
        new
    }

    fn send(&mut self, e: Event) -> Vec<Action> {
        self.boot.handle(e, self.now);
        self.drain()
    }

    /// Moves the clock, feeding a timeout at each time the boot asked for
    /// on the way, as the shell's one timer does.
    fn advance(&mut self, to: f64) {
        while let Some(at) = self.boot.poll_timeout().filter(|at| *at <= to) {
            self.now = self.now.max(at);
            self.send(Event::Timeout);
            assert_ne!(self.boot.poll_timeout(), Some(at), "a timeout that is due is handled");
        }
        self.now = to;
    }

    fn attempts(&self) -> Vec<&Attempt> {
        self.log.iter().filter_map(|a| if let Action::Inject(a) = a { Some(a) } else { None }).collect()
    }

    fn last_attempt(&self) -> &Attempt {
        self.attempts().last().copied().expect("an attempt")
    }

    /// Every file of the last attempt loads, as the shell reports it: its
    /// bundle registers as its script runs, before the script's `load`.
    fn loaded(&mut self) {
        let (id, n) = (self.last_attempt().id, self.last_attempt().assets.len());
        self.send(Event::PanelRegistered { attempt: id, registration: 0 });
        for index in 0..n {
            self.send(Event::AssetLoaded { attempt: id, index });
        }
    }

    fn ready(&mut self) {
        self.loaded();
        let id = self.last_attempt().id;
        self.said_ready(id, Rendering::PANEL);
    }

    /// The panel of attempt `id` calls `ready()`, and the mount point shows
    /// `rendering` at the frame the core then asks to look at.
    fn said_ready(&mut self, id: u32, rendering: Rendering) {
        self.send(Event::PanelReady { attempt: id });
        if self.log.last() == Some(&Action::Look { attempt: id, after_frame: true }) {
            self.send(Event::Looked { attempt: id, rendered: rendering });
        }
    }

    /// The panel says ready and the mount point shows `rendering` at every
    /// frame, past the bound.
    fn ready_showing(&mut self, id: u32, rendering: Rendering) {
        self.said_ready(id, rendering);
        self.advance(self.now + RENDER_BOUND_MS);
    }

    fn threw(&mut self) {
        let id = self.last_attempt().id;
        self.send(Event::PanelFailed { attempt: id, code: Code::PanelThrew, detail: "boom".into() });
    }

    /// The attempt's first file failed, and a second look found `diagnosis`.
    fn asset_failed(&mut self, diagnosis: Diagnosis) {
        let (id, url) = (self.last_attempt().id, self.last_attempt().assets[0].url.clone());
        self.send(Event::AssetFailed { attempt: id, url, diagnosis });
    }

    fn updates(&self) -> Vec<&Update> {
        self.log.iter().filter_map(|a| if let Action::UpdateRecord(u) = a { Some(u) } else { None }).collect()
    }

    fn report(&self) -> &Value {
        self.log
            .iter()
            .rev()
            .find_map(|a| if let Action::Report { report, .. } = a { Some(report) } else { None })
            .expect("a report")
    }

    fn error_code(&self) -> Option<Code> {
        self.log.iter().find_map(|a| if let Action::ShowError(f) = a { Some(f.code) } else { None })
    }

    fn errors(&self) -> Vec<&'static str> {
        self.boot.problems().iter().filter(|p| p.is_error()).map(|p| p.code.as_str()).collect()
    }

    fn codes(&self) -> Vec<&'static str> {
        self.boot.problems().iter().map(|p| p.code.as_str()).collect()
    }

    /// The record the shell would hold after applying every update.
    fn stored(&self) -> Value {
        self.updates().iter().fold(Value::Null, |stored, u| apply(&stored, u, WALL + self.now))
    }
}

const NEEDS_API: &str = r#", "config": {"variables": {"API_URL": {"type": "url", "required": true}}}"#;
const API: &str = r#"{"values": {"API_URL": "https://api.example"}}"#;

#[test]
fn loads_everything_at_once_then_the_newest_release_then_records_it() {
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    assert_eq!(
        sim.drain(),
        vec![
            Action::SetState(Status { state: State::Loading, release: None, attempt: None, code: None }),
            Action::Load(Doc::Manifest),
            Action::Load(Doc::Config(0)),
            Action::Load(Doc::Record)
        ]
    );
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[release("r2", NEEDS_API), release("r1", "")])))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    assert!(sim.attempts().is_empty(), "nothing starts before every document is in");
    sim.now = 20.0;
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    let attempt = sim.last_attempt();
    assert_eq!((attempt.id, attempt.release_id.as_str(), attempt.from_cache), (1, "r2", false));
    assert_eq!(attempt.config, json(r#"{"API_URL": "https://api.example"}"#));
    assert_eq!(sim.boot.poll_timeout(), Some(10_020.0), "the ready deadline");

    sim.now = 250.0;
    sim.ready();
    assert_eq!(sim.boot.state(), State::Ready);
    assert_eq!(sim.boot.poll_timeout(), None, "no deadline once ready");
    assert_eq!(sim.log.iter().filter(|a| matches!(a, Action::StartPanel { attempt: 1, .. })).count(), 1);
    assert!(matches!(sim.updates()[..], [Update::KnownGood { .. }]));
    assert!(sim
        .log
        .iter()
        .any(|a| matches!(a, Action::CacheAssets { release, assets } if release == "r2" && assets.len() == 1)));
    let report = sim.report();
    assert_eq!(report.get("outcome"), Some(&Value::from("ready")));
    assert_eq!(report.get("timings").and_then(|t| t.get("totalMs")), Some(&Value::Number(250.0)));
    let stored = sim.stored();
    assert_eq!(
        stored.get("knownGood").and_then(|k| k.get("release")).and_then(|r| r.get("id")),
        Some(&Value::from("r2"))
    );
}

#[test]
fn a_ready_from_another_attempt_is_ignored() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.said_ready(7, Rendering::PANEL);
    assert_eq!(sim.boot.state(), State::Booting);
    sim.threw();
    // Attempt 1's panel says ready after its attempt failed: still ignored.
    sim.said_ready(1, Rendering::PANEL);
    assert_eq!(sim.boot.state(), State::Booting);
    assert_eq!(sim.last_attempt().release_id, "r1");
    sim.ready();
    assert_eq!(sim.boot.state(), State::Ready);
}

#[test]
fn a_panel_that_throws_is_removed_quarantined_and_the_previous_release_starts() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.now = 300.0;
    sim.threw();
    assert!(sim.log.contains(&Action::Remove { attempt: 1 }));
    assert_eq!((sim.last_attempt().id, sim.last_attempt().release_id.as_str()), (2, "r1"));
    let Update::Quarantine(q) = sim.updates()[0] else { panic!("a quarantine") };
    assert_eq!((q.release.as_str(), q.code.as_str()), ("r2", "panel.threw"));
    assert_eq!(q.until_ms, WALL + 300.0 + QUARANTINE_MS);
    sim.ready();
    let path = sim.report().get("path").unwrap().to_json();
    assert_eq!(
        path,
        r#"[{"release":"r2","attempt":1,"outcome":"panel.threw"},{"release":"r1","attempt":2,"outcome":"ready"}]"#
    );
}

#[test]
fn the_known_good_release_is_the_first_fallback() {
    let first = Sim::boot(&manifest(&[release("r2", "")]), API, None);
    let _ = first;
    // r1 worked on this device before; r3 (newest) and r2 have never run here.
    let record = apply(
        &Value::Null,
        &Update::KnownGood { release: json(&release("r1", "")), backend_schema: None, config_fingerprint: "x".into() },
        WALL - 1000.0,
    );
    let mut sim =
        Sim::boot(&manifest(&[release("r3", ""), release("r2", ""), release("r1", "")]), API, Some(&record.to_json()));
    assert_eq!(sim.last_attempt().release_id, "r3");
    sim.threw();
    assert_eq!(sim.last_attempt().release_id, "r1");
    sim.threw();
    assert_eq!(sim.last_attempt().release_id, "r2");
}

#[test]
fn the_deadline_fails_the_attempt_and_does_not_run_while_hidden() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.advance(4_000.0);
    sim.send(Event::Visibility { hidden: true });
    assert_eq!(sim.boot.poll_timeout(), None, "no deadline runs while hidden");
    sim.advance(60_000.0);
    assert_eq!(sim.attempts().len(), 1, "a hidden page never times out");
    sim.send(Event::Visibility { hidden: false });
    assert_eq!(sim.boot.poll_timeout(), Some(66_000.0));
    sim.advance(65_999.0);
    assert_eq!(sim.attempts().len(), 1);
    sim.advance(66_000.0);
    assert!(sim.codes().contains(&"panel.timeout"));
    assert_eq!(sim.last_attempt().release_id, "r1");
}

#[test]
fn a_page_hidden_at_start_arms_the_deadline_when_shown() {
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: true, ..Start::default() });
    sim.drain();
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[release("r1", "")])))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.boot.poll_timeout(), None);
    sim.now = 500.0;
    sim.send(Event::Visibility { hidden: false });
    assert_eq!(sim.boot.poll_timeout(), Some(10_500.0));
}

#[test]
fn transient_network_failures_are_retried_with_backoff_then_fall_back() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    for retry in 0..MAX_RETRIES {
        sim.asset_failed(Diagnosis::Network("Failed to fetch".into()));
        assert_eq!(sim.last_attempt().release_id, "r2", "no new attempt during the backoff");
        let due = sim.boot.poll_timeout().expect("the backoff's end");
        assert_eq!(due - sim.now, 300.0 * f64::from(1u32 << retry));
        sim.advance(due);
        assert_eq!(sim.last_attempt().release_id, "r2", "retried");
        // A retry asks for a new URL: a failed preload of the old one is not reused (WebKit).
        assert_eq!(sim.last_attempt().assets[0].url, format!("p/r2.js?desk-retry={}", retry + 1));
    }
    assert_eq!(sim.attempts().len(), 3);
    assert_eq!(sim.attempts()[0].assets[0].url, "p/r2.js", "the first attempt uses the manifest's URL");
    sim.asset_failed(intact());
    assert_eq!(sim.last_attempt().release_id, "r1");
    assert!(sim.updates().is_empty(), "a network failure does not quarantine");
}

#[test]
fn a_retry_url_keeps_the_query_and_the_fragment() {
    use desk_loader_core::boot::retry_url;
    assert_eq!(retry_url("p/a.js", 1), "p/a.js?desk-retry=1");
    assert_eq!(retry_url("https://cdn.example/a.js?v=3", 2), "https://cdn.example/a.js?v=3&desk-retry=2");
    assert_eq!(retry_url("a.js#x", 1), "a.js?desk-retry=1#x");
}

#[test]
fn integrity_and_missing_files_get_no_retry() {
    let mut sim = Sim::boot(&manifest(&[release("r3", ""), release("r2", ""), release("r1", "")]), API, None);
    sim.asset_failed(mismatch());
    assert_eq!(sim.last_attempt().release_id, "r2");
    assert!(matches!(sim.updates()[..], [Update::Quarantine(ref q)] if q.code == "bundle.integrity"));
    sim.asset_failed(Diagnosis::Status(404));
    assert_eq!(sim.last_attempt().release_id, "r1");
    assert_eq!(sim.errors(), ["bundle.integrity", "bundle.missing"]);
}

#[test]
fn the_known_good_release_runs_from_the_cache_when_the_server_lost_it() {
    let record = apply(
        &Value::Null,
        &Update::KnownGood { release: json(&release("r1", "")), backend_schema: None, config_fingerprint: "x".into() },
        WALL,
    );
    // The manifest no longer lists r1, and r2 is broken.
    let mut sim = Sim::boot(&manifest(&[release("r2", "")]), API, Some(&record.to_json()));
    sim.threw();
    assert_eq!((sim.last_attempt().release_id.as_str(), sim.last_attempt().from_cache), ("r1", false));
    sim.asset_failed(Diagnosis::Status(404));
    assert_eq!((sim.last_attempt().release_id.as_str(), sim.last_attempt().from_cache), ("r1", true));
    sim.ready();
    assert_eq!(sim.boot.state(), State::Ready);
    // r1 served from the cache: its bundle.missing was recovered from, a warning;
    // r2, which could not serve, keeps its error.
    let severities: Vec<(&str, &str, bool)> = sim
        .boot
        .problems()
        .iter()
        .filter(|p| p.code != Code::ConfigUnknown)
        .map(|p| (p.release.as_deref().unwrap_or(""), p.code.as_str(), p.is_error()))
        .collect();
    assert_eq!(severities, [("r2", "panel.threw", true), ("r1", "bundle.missing", false)]);
    assert!(!sim.log.iter().any(|a| matches!(a, Action::CacheAssets { .. })), "a cached run is not cached again");
}

/// A boot whose manifest lists nothing and whose server is gone, with a
/// record of the known-good r1: it ends up running r1 from the cache.
fn offline_with_a_known_good(record: &Value) -> Sim {
    let mut sim = Sim::boot(&manifest(&[]), API, Some(&record.to_json()));
    for _ in 0..=MAX_RETRIES {
        sim.asset_failed(Diagnosis::Network("offline".into()));
        sim.advance(sim.now + 1_000.0);
    }
    assert!(sim.last_attempt().from_cache);
    sim
}

fn known_good_r1() -> Value {
    apply(
        &Value::Null,
        &Update::KnownGood { release: json(&release("r1", "")), backend_schema: None, config_fingerprint: "x".into() },
        WALL,
    )
}

#[test]
fn a_cache_miss_moves_on() {
    let mut sim = offline_with_a_known_good(&known_good_r1());
    sim.asset_failed(Diagnosis::FromCache);
    assert_eq!(sim.boot.state(), State::Failed);
    assert_eq!(sim.error_code(), Some(Code::BundleLoadFailed));
}

#[test]
fn files_stored_after_an_earlier_boot_and_gone_now_are_cache_lost() {
    // The first boot: ready, its files stored, the record told.
    let mut first = Sim::boot(&manifest(&[release("r1", "")]), API, None);
    first.ready();
    first.send(Event::Cached { release: "r1".into() });
    let stored = first.updates().into_iter().fold(Value::Null, |stored, u| apply(&stored, u, WALL));
    assert!(stored.to_json().contains(r#""cached":true"#), "{}", stored.to_json());
    // The next boot: the server is gone, and so are the cached files.
    let mut sim = offline_with_a_known_good(&stored);
    sim.asset_failed(Diagnosis::NotCached);
    assert_eq!(sim.boot.state(), State::Failed);
    assert!(sim.errors().contains(&"cache.lost"), "{:?}", sim.codes());
    let lost = sim.boot.problems().iter().find(|p| p.code == Code::CacheLost).unwrap();
    assert!(lost.message.contains("keeps no site data between page loads"), "{}", lost.message);
}

#[test]
fn files_never_stored_are_only_missing_from_the_cache() {
    let mut sim = offline_with_a_known_good(&known_good_r1());
    sim.asset_failed(Diagnosis::NotCached);
    assert!(!sim.codes().contains(&"cache.lost"));
    assert!(sim.errors().contains(&"bundle.missing"), "{:?}", sim.codes());
}

#[test]
fn ready_with_nothing_rendered_is_a_failure() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.loaded();
    sim.ready_showing(1, Rendering::NOTHING);
    assert_eq!(sim.errors(), vec!["panel.empty"]);
    assert_eq!(sim.last_attempt().release_id, "r1");
}

#[test]
fn the_incident_replayed_no_rollback_onto_an_incompatible_release() {
    let m = include_str!("fixtures/incident-2023-08-11/manifest.json");
    let c = include_str!("fixtures/incident-2023-08-11/config.production.json");
    let sim = Sim::boot(m, c, None);
    assert!(sim.attempts().is_empty(), "neither release is started");
    assert_eq!(sim.boot.state(), State::Failed);
    // The screen names the root cause: the new release's missing variable.
    assert_eq!(sim.error_code(), Some(Code::ConfigMissing));
    assert_eq!(sim.report().get("release"), Some(&Value::from("2023.08.11")));
    let problems = sim.boot.problems();
    assert!(problems
        .iter()
        .any(|p| p.code == Code::ConfigMissing && p.variable.as_deref() == Some("ENGINE_GATEWAY_URL")));
    let path = sim.report().get("path").unwrap().to_json();
    assert_eq!(
        path,
        r#"[{"release":"2023.08.11","outcome":"config.invalid"},{"release":"2023.08.04","outcome":"backend.incompatible"}]"#
    );
}

#[test]
fn the_incident_with_a_feature_gated_variable_boots_the_new_release() {
    let m = include_str!("fixtures/incident-2023-08-11/manifest.feature-gated.json");
    let c = include_str!("fixtures/incident-2023-08-11/config.production.json");
    let mut sim = Sim::boot(m, c, None);
    assert_eq!(sim.last_attempt().release_id, "2023.08.11");
    assert_eq!(sim.last_attempt().features, json(r#"{"conversationEngine": false}"#));
    sim.ready();
    assert!(sim.report().to_json().contains(r#""code":"feature.unconfigured""#));
}

#[test]
fn a_quarantined_release_is_skipped_until_the_configuration_changes() {
    let m = manifest(&[release("r2", NEEDS_API), release("r1", "")]);
    let mut sim = Sim::boot(&m, API, None);
    sim.threw();
    let stored = sim.stored().to_json();
    // Next page load, same configuration: r2 is not even tried.
    let again = Sim::boot(&m, API, Some(&stored));
    assert_eq!(again.attempts()[0].release_id, "r1");
    assert!(again.codes().contains(&"release.quarantined"));
    // A fixed configuration is another key: r2 runs at once.
    let fixed = Sim::boot(&m, r#"{"values": {"API_URL": "https://fixed.example"}}"#, Some(&stored));
    assert_eq!(fixed.attempts()[0].release_id, "r2");
}

#[test]
fn a_tampered_or_corrupt_record_is_discarded_and_the_boot_goes_on() {
    let m = manifest(&[release("r1", "")]);
    for bad in [
        r#"{"format": 1, "knownGood": {"release": {"id": "evil", "assets": [{"type": "script", "url": "https://evil.example/x.js", "integrity": "sha1-abc"}]}, "configFingerprint": "x", "at": 1}}"#,
        r#"{"format": 0}"#,
        r#""just a string""#,
        r#"{"format": 1, "quarantine": [{"release": 5}]}"#,
    ] {
        let sim = Sim::boot(&m, API, Some(bad));
        assert_eq!(sim.attempts().len(), 1, "{bad}");
        assert_eq!(sim.attempts()[0].release_id, "r1");
        assert!(sim.codes().contains(&"record.discarded"), "{bad}");
    }
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&m))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Err(LoadError::Malformed("Unexpected token".into()))));
    assert_eq!(sim.attempts().len(), 1);
}

#[test]
fn an_unreadable_manifest_falls_back_to_the_known_good_release() {
    let record = apply(
        &Value::Null,
        &Update::KnownGood { release: json(&release("r1", "")), backend_schema: None, config_fingerprint: "x".into() },
        WALL,
    );
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Err(LoadError::Unreadable("network error".into()))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(record)));
    assert_eq!(sim.last_attempt().release_id, "r1");
    // Without a record, the manifest's problem is the error screen's code.
    let mut bare = Sim::new(Options::default());
    bare.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    bare.send(Event::Loaded(Doc::Manifest, Err(LoadError::Unreadable("HTTP 500".into()))));
    bare.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    bare.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(bare.error_code(), Some(Code::ManifestUnreadable));
}

#[test]
fn a_fetch_that_ran_out_of_time_is_unreadable_and_says_how_long_it_waited() {
    let late = LoadError::timed_out("https://desk.example/config.json", 1500.0);
    assert_eq!(late.text(), "https://desk.example/config.json: no answer within 1.5 s");
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Err(LoadError::timed_out("manifest.json", 8000.0))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.error_code(), Some(Code::ManifestUnreadable));
}

#[test]
fn the_backend_endpoint_decides_compatibility() {
    let m = manifest(&[release("new", r#", "backend": ">=44""#), release("old", r#", "backend": "<44""#)]);
    let run = |answer: Result<Value, LoadError>| {
        let mut sim = Sim::new(Options { backend_url: Some("/api/version".into()), ..Options::default() });
        sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
        let first = sim.drain();
        assert!(first.contains(&Action::Fetch { doc: Doc::Backend, url: "/api/version".into(), revalidate: false }));
        sim.send(Event::Loaded(Doc::Manifest, Ok(json(&m))));
        sim.send(Event::Loaded(Doc::Config(0), Ok(json(r#"{"values": {}, "backendSchema": 44}"#))));
        sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
        sim.send(Event::Loaded(Doc::Backend, answer));
        sim
    };
    // The endpoint wins over the configuration's key.
    assert_eq!(run(Ok(json(r#"{"schema": 43}"#))).last_attempt().release_id, "old");
    // It fails: the configuration's key still holds.
    let sim = run(Err(LoadError::Unreadable("HTTP 502".into())));
    assert_eq!(sim.last_attempt().release_id, "new");
    assert!(sim.codes().contains(&"backend.unknown"));
}

#[test]
fn withdrawn_and_pinned_releases() {
    let m = r#"{"format": 1, "withdrawn": ["r3"], "releases": [RELEASES]}"#
        .replace("RELEASES", &[release("r3", ""), release("r2", ""), release("r1", "")].join(","));
    assert_eq!(Sim::boot(&m, API, None).last_attempt().release_id, "r2");
    let pinned = m.replace(r#""withdrawn": ["r3"],"#, r#""pin": "r1","#);
    let mut sim = Sim::boot(&pinned, API, None);
    assert_eq!(sim.last_attempt().release_id, "r1");
    sim.threw();
    assert_eq!(sim.error_code(), Some(Code::PanelThrew), "a pin allows no other release");
}

#[test]
fn a_ready_before_the_stylesheet_loaded_waits_for_it() {
    let styled = format!(
        r#"{{"id": "r2", "assets": [{{"type": "style", "url": "p/r2.css", "integrity": "{SHA}"}},
           {{"type": "script", "url": "p/r2.js", "integrity": "{SHA}"}}]}}"#
    );
    // The script is in (file 1), and its panel said ready; the stylesheet
    // (file 0) then fails: the early ready() does not count.
    let mut sim = Sim::boot(&manifest(&[styled.clone(), release("r1", "")]), API, None);
    sim.send(Event::PanelRegistered { attempt: 1, registration: 0 });
    sim.send(Event::AssetLoaded { attempt: 1, index: 1 });
    sim.said_ready(1, Rendering::PANEL);
    assert_eq!(sim.boot.state(), State::Booting);
    sim.asset_failed(Diagnosis::Status(404));
    assert_eq!(sim.last_attempt().release_id, "r1");
    // The stylesheet then loads: the early ready() counts at that moment.
    let mut sim = Sim::boot(&manifest(&[styled, release("r1", "")]), API, None);
    sim.send(Event::PanelRegistered { attempt: 1, registration: 0 });
    sim.send(Event::AssetLoaded { attempt: 1, index: 1 });
    sim.said_ready(1, Rendering::PANEL);
    sim.send(Event::AssetLoaded { attempt: 1, index: 0 });
    assert_eq!(
        sim.log.last(),
        Some(&Action::Look { attempt: 1, after_frame: true }),
        "the look comes once every file is in"
    );
    sim.send(Event::Looked { attempt: 1, rendered: Rendering::PANEL });
    assert_eq!(sim.boot.state(), State::Ready);
}

/// Release r2: two stylesheets (files 0 and 1), then a script (file 2).
fn two_stylesheets() -> String {
    format!(
        r#"{{"id": "r2", "assets": [{{"type": "style", "url": "p/a.css", "integrity": "{SHA}"}},
           {{"type": "style", "url": "p/b.css", "integrity": "{SHA}"}},
           {{"type": "script", "url": "p/r2.js", "integrity": "{SHA}"}}]}}"#
    )
}

#[test]
fn a_release_with_stylesheets_runs_its_scripts_once_they_have_loaded() {
    let mut sim = Sim::boot(&manifest(&[two_stylesheets()]), API, None);
    assert!(sim.last_attempt().scripts_wait, "the scripts are only fetched at first");
    let runs = |sim: &Sim| sim.log.iter().filter(|a| matches!(a, Action::RunScripts { attempt: 1 })).count();
    assert_eq!(runs(&sim), 0);
    sim.send(Event::AssetLoaded { attempt: 1, index: 1 });
    assert_eq!(runs(&sim), 0, "one stylesheet is still loading");
    sim.send(Event::AssetLoaded { attempt: 1, index: 0 });
    assert_eq!(runs(&sim), 1, "the last stylesheet lets the scripts run");
    // A release without stylesheets runs its scripts at once.
    let sim = Sim::boot(&manifest(&[release("r1", "")]), API, None);
    assert!(!sim.last_attempt().scripts_wait);
}

#[test]
fn a_bundle_that_never_registers_fails_when_its_last_script_has_run() {
    let two = format!(
        r#"{{"id": "r2", "assets": [{{"type": "script", "url": "p/a.js", "integrity": "{SHA}"}},
           {{"type": "script", "url": "p/b.js", "integrity": "{SHA}"}}]}}"#
    );
    let mut sim = Sim::boot(&manifest(&[two, release("r1", "")]), API, None);
    sim.send(Event::AssetLoaded { attempt: 1, index: 0 });
    assert_eq!(sim.last_attempt().id, 1, "the panel may register from its last script");
    sim.send(Event::AssetLoaded { attempt: 1, index: 1 });
    assert!(sim.codes().contains(&"panel.not_registered"));
    assert_eq!(sim.last_attempt().release_id, "r1");
    let Update::Quarantine(q) = sim.updates()[0] else { panic!("a quarantine") };
    assert_eq!(q.code, "panel.not_registered");
}

#[test]
fn only_the_first_registration_starts_the_panel() {
    let mut sim = Sim::boot(&manifest(&[release("r1", "")]), API, None);
    sim.send(Event::PanelRegistered { attempt: 1, registration: 0 });
    sim.send(Event::PanelRegistered { attempt: 1, registration: 1 });
    sim.send(Event::PanelRegistered { attempt: 9, registration: 0 });
    let starts: Vec<_> = sim.log.iter().filter(|a| matches!(a, Action::StartPanel { .. })).collect();
    assert_eq!(starts, [&Action::StartPanel { attempt: 1, registration: 0 }]);
}

#[test]
fn a_removed_attempt_leaves_the_loading_state_until_the_next_one() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    let after = sim.send(Event::PanelFailed { attempt: 1, code: Code::PanelThrew, detail: "boom".into() });
    let at = after.iter().position(|a| *a == Action::Remove { attempt: 1 }).expect("removed");
    assert_eq!(after.get(at + 1), Some(&Action::ShowLoading));
    assert!(after[at..].iter().any(|a| matches!(a, Action::Inject(a) if a.release_id == "r1")));
}

fn on_page(manifest: &str, record: Option<&str>, allowed: &[&str]) -> Sim {
    let mut sim = Sim::new(Options {
        page_origin: "https://desk.example".into(),
        allowed_origins: allowed.iter().map(|s| s.to_string()).collect(),
        ..Options::default()
    });
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(manifest))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(record.map_or(Value::Null, json))));
    sim
}

#[test]
fn code_only_comes_from_the_page_origin_or_the_host_allowlist() {
    let foreign = format!(
        r#"{{"id": "cdn", "assets": [{{"type": "script", "url": "https://cdn.example/p.js", "integrity": "{SHA}"}}]}}"#
    );
    let m = manifest(&[foreign, release("local", "")]);
    let sim = on_page(&m, None, &[]);
    assert_eq!(sim.attempts().iter().map(|a| a.release_id.as_str()).collect::<Vec<_>>(), vec!["local"]);
    assert!(sim.codes().contains(&"bundle.origin"));
    // The host page, and only the host page, can allow another origin.
    assert_eq!(on_page(&m, None, &["https://cdn.example"]).attempts()[0].release_id, "cdn");
}

#[test]
fn a_stored_record_pointing_elsewhere_is_never_started() {
    let evil = format!(
        r#"{{"id": "evil", "assets": [{{"type": "script", "url": "https://evil.example/x.js", "integrity": "{SHA}"}}]}}"#
    );
    let record = format!(r#"{{"format": 1, "knownGood": {{"release": {evil}, "configFingerprint": "x", "at": 1}}}}"#);
    let sim = on_page(&manifest(&[]), Some(&record), &[]);
    assert!(sim.attempts().is_empty());
    // Written by someone else: discarded as record.md says, never named on
    // the screen nor refused boot after boot, and dropped from storage.
    assert_eq!(sim.error_code(), Some(Code::ManifestNoRelease));
    assert!(sim.codes().contains(&"record.discarded"), "{:?}", sim.codes());
    assert!(!sim.boot.problems().iter().any(|p| p.release.as_deref() == Some("evil")), "its id names no problem");
    assert!(sim.updates().contains(&&Update::ForgetKnownGood));
    assert!(!apply(&json(&record), &Update::ForgetKnownGood, WALL).to_json().contains("evil"));
}

/// Issue 27's repros: URLs that the loader once read as the page's own (or
/// the allowed CDN's) and a browser reads as evil.example's.
const ELSEWHERE: &[&str] = &[
    r"https://evil.example\\@desk.example/x.js",
    r"https://evil.example\\@cdn.example/x.js",
    r"//evil.example\\@desk.example/x.js",
    r"https://evil.example:443\\@desk.example/x.js",
    r"\\\\evil.example/x.js",
    r"/\\evil.example/x.js",
    r"\\/evil.example/x.js",
    r"/\t/evil.example/x.js",
    r"/\n/evil.example/x.js",
    r"\u0001//evil.example/x.js",
    r"\u0000//evil.example/x.js",
];

#[test]
fn a_url_a_browser_reads_as_another_host_never_loads_from_manifest_or_record() {
    for url in ELSEWHERE {
        // `url` is JSON string text: escapes as the manifest would hold them.
        let with =
            format!(r#"{{"id": "evil", "assets": [{{"type": "script", "url": "{url}", "integrity": "{SHA}"}}]}}"#);
        let bare = format!(r#"{{"id": "evil", "assets": [{{"type": "script", "url": "{url}"}}]}}"#);
        let sim = on_page(&manifest(&[with.clone(), release("local", "")]), None, &["https://cdn.example"]);
        assert_eq!(sim.attempts().iter().map(|a| a.release_id.as_str()).collect::<Vec<_>>(), vec!["local"], "{url}");
        assert!(sim.codes().contains(&"bundle.origin"), "{url}: {:?}", sim.codes());
        // With the host page's opt-out, it would have run with no integrity at all.
        let mut opted = Sim::new(Options {
            page_origin: "https://desk.example".into(),
            same_origin_without_integrity: true,
            ..Options::default()
        });
        opted.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
        opted.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[bare, release("local", "")])))));
        opted.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
        opted.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
        assert_eq!(opted.attempts()[0].release_id, "local", "{url}");
        // A stored record whose known-good release points there is discarded.
        let record =
            format!(r#"{{"format": 1, "knownGood": {{"release": {with}, "configFingerprint": "x", "at": 1}}}}"#);
        let sim = on_page(&manifest(&[]), Some(&record), &["https://cdn.example"]);
        assert!(sim.attempts().is_empty(), "{url}");
        assert!(sim.codes().contains(&"record.discarded"), "{url}: {:?}", sim.codes());
    }
}

#[test]
fn integrity_is_required_unless_the_host_opts_out_for_same_origin_files() {
    let bare = |id: &str, url: &str| format!(r#"{{"id": "{id}", "assets": [{{"type": "script", "url": "{url}"}}]}}"#);
    let m = manifest(&[bare("local", "p/local.js"), bare("cdn", "https://cdn.example/p.js"), release("checked", "")]);
    // By default: neither file without integrity runs.
    let sim = on_page(&m, None, &["https://cdn.example"]);
    assert_eq!(sim.attempts()[0].release_id, "checked");
    assert_eq!(sim.codes().iter().filter(|c| **c == "bundle.integrity").count(), 2 + 2, "two warnings, two refusals");
    // With the host page's opt-out: the same-origin one runs; cross-origin files always need integrity.
    let mut opted = Sim::new(Options {
        page_origin: "https://desk.example".into(),
        allowed_origins: vec!["https://cdn.example".into()],
        same_origin_without_integrity: true,
        ..Options::default()
    });
    opted.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
    opted.send(Event::Loaded(
        Doc::Manifest,
        Ok(json(&manifest(&[bare("cdn", "https://cdn.example/p.js"), bare("local", "p/local.js")]))),
    ));
    opted.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    opted.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(opted.attempts().iter().map(|a| a.release_id.as_str()).collect::<Vec<_>>(), vec!["local"]);
}

#[test]
fn an_emptied_mount_point_gets_the_loading_state_back_until_the_boot_ends() {
    let mut sim = Sim::boot(&manifest(&[release("r2", "")]), API, None);
    assert_eq!(sim.boot.state(), State::Booting);
    assert_eq!(sim.send(Event::MountEmptied), vec![Action::ShowLoading]);
    sim.ready();
    assert_eq!(sim.boot.state(), State::Ready);
    assert_eq!(sim.send(Event::MountEmptied), vec![], "after ready the mount point is the panel's");

    let mut loading = Sim::new(Options::default());
    loading.boot.start(Start { now_ms: 0.0, wall_ms: 0.0, ..Start::default() });
    loading.drain();
    assert_eq!(loading.send(Event::MountEmptied), vec![Action::ShowLoading]);
}

#[test]
fn a_document_over_the_limit_is_refused_before_it_is_parsed() {
    use desk_loader_core::boot::check_document_size;
    use desk_loader_core::config::MAX_DOCUMENT_BYTES;
    assert_eq!(check_document_size(MAX_DOCUMENT_BYTES, "config.json"), Ok(()));
    assert_eq!(
        check_document_size(MAX_DOCUMENT_BYTES + 1, "config.json"),
        Err(LoadError::Unreadable("config.json: 1048577 bytes, larger than the limit of 1048576".into()))
    );
}

#[test]
fn rendered_means_a_box_with_visible_content_in_it() {
    // The finding: a panel that rendered one empty element and called ready()
    // left the desk blank, and counted as ready.
    let empty_element = Rendering { mount_box: true, text: false, element_box: false };
    let collapsed = Rendering { mount_box: false, text: true, element_box: true };
    for (rendering, rendered) in [
        (Rendering::PANEL, true),
        (Rendering { mount_box: true, text: true, element_box: false }, true),
        (Rendering { mount_box: true, text: false, element_box: true }, true),
        (empty_element, false),
        (collapsed, false),
        (Rendering::NOTHING, false),
    ] {
        assert_eq!(rendering.is_rendered(), rendered, "{rendering:?}");
    }
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.loaded();
    sim.ready_showing(1, empty_element);
    assert_eq!(sim.last_attempt().release_id, "r1", "an empty render fails the attempt");
    assert!(sim.errors().contains(&"panel.empty"));
}

#[test]
fn the_screen_follows_the_decisive_problem_and_only_it() {
    // The finding: releases[0]'s id is there but invalid, and 2026.11.1 fails
    // on a constraint. The screen said manifest.invalid, phase manifest, for
    // 2026.11.1, naming API_URL; and the manifest had a second, wrong
    // "releases[0].id: missing".
    let m = format!(
        r#"{{"format": 1, "releases": [
            {{"id": "not a valid id!", "assets": [{{"type": "script", "url": "p/x.js", "integrity": "{SHA}"}}]}},
            {{"id": "2026.11.1", "assets": [{{"type": "script", "url": "p/y.js", "integrity": "{SHA}"}}],
              "config": {{"variables": {{"POLL_MS": {{"type": "integer", "min": 500}}}}}}}}
        ]}}"#
    );
    let config = r#"{"values": {"API_URL": "https://api.example", "POLL_MS": 5}}"#;
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&m))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(config))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.boot.state(), State::Failed);
    let screen = sim
        .log
        .iter()
        .find_map(|a| if let Action::ShowError(s) = a { Some(s.clone()) } else { None })
        .expect("the error screen");
    let rows: Vec<&str> = screen.rows.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(rows[..4], ["config.constraint", "2026.11.1", "configuration", "POLL_MS"]);
    assert_eq!(sim.report().get("code"), Some(&Value::from("config.constraint")));
    assert_eq!(sim.report().get("release"), Some(&Value::from("2026.11.1")));
    let id_problems: Vec<&str> = sim
        .boot
        .problems()
        .iter()
        .filter(|p| p.path.as_deref() == Some("releases[0].id"))
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(id_problems.len(), 1, "{id_problems:?}");
}

#[test]
fn a_boot_started_again_in_the_page_numbers_its_attempts_after_the_last() {
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, first_attempt: 5, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[release("r2", ""), release("r1", "")])))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.last_attempt().id, 5);
    // An earlier boot's attempt 1 is not this boot's.
    sim.said_ready(1, Rendering::PANEL);
    assert_eq!(sim.boot.state(), State::Booting);
    sim.threw();
    assert_eq!((sim.last_attempt().id, sim.boot.next_attempt()), (6, 7));
    sim.ready();
    assert_eq!(sim.boot.state(), State::Ready);
}

#[test]
fn a_file_that_loads_twice_counts_once() {
    let mut sim = Sim::boot(&manifest(&[two_stylesheets()]), API, None);
    sim.send(Event::AssetLoaded { attempt: 1, index: 0 });
    sim.send(Event::AssetLoaded { attempt: 1, index: 0 });
    assert!(!sim.log.iter().any(|a| matches!(a, Action::RunScripts { .. })), "b.css has not loaded");
}

#[test]
fn with_a_base_url_elsewhere_relative_files_are_judged_where_the_browser_sends_them() {
    // A `<base href="https://cdn.example/">` on the page: `p.js` goes to the CDN.
    let absolute = format!(
        r#"{{"id": "absolute", "assets": [{{"type": "script", "url": "https://desk.example/p.js", "integrity": "{SHA}"}}]}}"#
    );
    let boot = |allowed: Vec<String>| {
        let mut sim = Sim::new(Options {
            page_origin: "https://desk.example".into(),
            base_origin: "https://cdn.example".into(),
            allowed_origins: allowed,
            ..Options::default()
        });
        sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
        sim.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[release("relative", ""), absolute.clone()])))));
        sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
        sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
        sim
    };
    let sim = boot(Vec::new());
    assert_eq!(sim.attempts().iter().map(|a| a.release_id.as_str()).collect::<Vec<_>>(), vec!["absolute"]);
    assert!(sim.codes().contains(&"bundle.origin"));
    // Allowing the base's origin lets it in, as for any other origin.
    assert_eq!(boot(vec!["https://cdn.example".into()]).attempts()[0].release_id, "relative");
}

/// A desk with this id booting this manifest (and, when given, a record).
fn desk(id: &str, manifest: &str, record: Option<&str>) -> Sim {
    let mut sim = Sim::new(Options { desk_id: id.into(), ..Options::default() });
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(manifest))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(record.map_or(Value::Null, json))));
    sim
}

/// Desk ids inside and outside a 50 % rollout of `2026.12.0`, by the core's own draw.
fn on_each_side() -> (String, String) {
    let ids: Vec<String> = (0..100).map(|i| format!("agent-{i}")).collect();
    let place = |id: &String| desk_loader_core::rollout::place(id, "2026.12.0");
    let inside = ids.iter().find(|id| place(id) < 50.0).unwrap().clone();
    let outside = ids.iter().find(|id| place(id) >= 50.0).unwrap().clone();
    (inside, outside)
}

#[test]
fn a_rolled_out_release_goes_to_its_share_of_desks_only() {
    let rolled =
        |share: &str| manifest(&[release("2026.12.0", &format!(r#", "rollout": {share}"#)), release("2026.11.1", "")]);
    let first = |id: &str, m: &str| desk(id, m, None).attempts()[0].release_id.clone();
    let (inside, outside) = on_each_side();
    assert_eq!(first(&inside, &rolled("50")), "2026.12.0");
    assert_eq!(first(&outside, &rolled("50")), "2026.11.1", "as if 2026.12.0 were not yet published");
    // The same answer on every boot of the same desk: a reload changes nothing.
    assert_eq!(first(&inside, &rolled("50")), first(&inside, &rolled("50")));
    for i in 0..50 {
        let id = format!("desk-{i}");
        assert_eq!(first(&id, &rolled("0")), "2026.11.1", "at 0 % nobody takes it");
        assert_eq!(first(&id, &rolled("100")), "2026.12.0", "at 100 % everybody does");
        // Raising the share never takes a desk out.
        let mut taken = false;
        for share in [1, 5, 10, 25, 50, 75, 99] {
            let now = first(&id, &rolled(&share.to_string())) == "2026.12.0";
            assert!(now || !taken, "{id} left the rollout when it widened to {share} %");
            taken = now;
        }
    }
    // The report says the release was taken under a rollout, and at what share.
    let mut sim = desk(&inside, &rolled("50"), None);
    sim.ready();
    assert_eq!(sim.report().get("rollout"), Some(&Value::Number(50.0)));
    assert_eq!(
        sim.report().get("path").unwrap().to_json(),
        r#"[{"release":"2026.12.0","attempt":1,"outcome":"ready","rollout":50}]"#
    );
    let mut everyone = desk(&inside, &manifest(&[release("2026.11.1", "")]), None);
    everyone.ready();
    assert_eq!(everyone.report().get("rollout"), Some(&Value::Null));
}

#[test]
fn a_desk_never_falls_back_onto_a_release_outside_its_share_but_a_pin_is_for_everyone() {
    let (_, outside) = on_each_side();
    let m = manifest(&[release("2026.12.0", r#", "rollout": 50"#), release("2026.11.1", "")]);
    let mut sim = desk(&outside, &m, None);
    assert_eq!(sim.attempts().len(), 1);
    sim.send(Event::PanelFailed { attempt: 1, code: Code::PanelThrew, detail: "boom".into() });
    assert_eq!(sim.attempts().iter().map(|a| a.release_id.as_str()).collect::<Vec<_>>(), vec!["2026.11.1"]);
    assert_eq!(sim.error_code(), Some(Code::PanelThrew), "the error screen, not the release it is not given");
    // Nor from its record: a release it once had, now outside its share.
    let record = format!(
        r#"{{"format": 1, "knownGood": {{"release": {}, "configFingerprint": "x", "at": 1}}}}"#,
        release("2026.12.0", r#", "rollout": 50"#)
    );
    let cut = desk(
        &outside,
        &manifest(&[release("2026.12.0", r#", "rollout": 50"#), release("2026.11.1", "")]),
        Some(&record),
    );
    assert_eq!(cut.attempts()[0].release_id, "2026.11.1");
    // The operator's pin overrides the rollout: a pinned release is for every desk.
    let pinned = format!(
        r#"{{"format": 1, "pin": "2026.12.0", "releases": [{}, {}]}}"#,
        release("2026.12.0", r#", "rollout": 0"#),
        release("2026.11.1", "")
    );
    assert_eq!(desk(&outside, &pinned, None).attempts()[0].release_id, "2026.12.0");
}

#[test]
fn the_end_to_end_suites_desks_are_where_it_says_in_the_50_percent_rollout() {
    // tests/e2e/fleet.spec.js boots these two desks against 2026.11.2 at 50 %.
    use desk_loader_core::rollout::place;
    assert!(place("agent-2", "2026.11.2") < 50.0);
    assert!(place("agent-1", "2026.11.2") >= 50.0);
}

#[test]
fn the_demo_rollout_desks_are_where_their_scenarios_say() {
    // www/scenarios/rollout-inside and rollout-outside: 2026.12.0 at 10 %.
    use desk_loader_core::rollout::place;
    assert!(place("agent-1", "2026.12.0") < 10.0);
    assert!(place("agent-2", "2026.12.0") >= 10.0);
}

/// A desk booting `manifest` with `config` at `now`, maybe as a recheck.
fn boot_at(now: f64, config: &str, recovering: Option<Recovering>, options: Options, seed: u64) -> Sim {
    let mut sim = Sim::new(options);
    sim.now = now;
    sim.boot.start(Start { now_ms: now, wall_ms: WALL, seed, recovering, ..Start::default() });
    load_needing_api(&mut sim, config);
    sim
}

/// Answers the loads: a manifest whose one release needs API_URL, `config`, no record.
fn load_needing_api(sim: &mut Sim, config: &str) {
    let needs_api = manifest(&[release(
        "2026.11.1",
        r#", "config": {"variables": {"API_URL": {"type": "url", "required": true}}}"#,
    )]);
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&needs_api))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(config))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
}

const BROKEN: &str = r#"{"values": {}}"#;

fn recheck_asked(sim: &Sim) -> Option<Recovering> {
    sim.log.iter().rev().find_map(|a| if let Action::Recheck(r) = a { Some(*r) } else { None })
}

#[test]
fn a_desk_on_the_error_screen_rechecks_by_itself_with_backoff_and_jitter() {
    for seed in [1, 2, 3, 99, 12345] {
        let mut sim = boot_at(0.0, BROKEN, None, Options::default(), seed);
        assert_eq!(sim.error_code(), Some(Code::ConfigMissing));
        // The first recheck comes 15 to 30 s after the error screen.
        let due = sim.boot.poll_timeout().expect("a recheck is due");
        assert!((15_000.0..=30_000.0).contains(&due), "seed {seed}: {due}");
        sim.advance(due);
        let first = recheck_asked(&sim).expect("the core asks the shell to start again");
        assert_eq!(first, Recovering { round: 1, since_ms: 0.0, code: Code::ConfigMissing, by_agent: false });
        // The recheck finds the same problem: nothing new on the screen, no
        // report, and the next recheck 30 to 60 s later.
        let mut again = boot_at(due, BROKEN, Some(first), Options::default(), seed);
        assert!(
            !again.log.iter().any(|a| matches!(
                a,
                Action::SetState(_) | Action::ShowError(_) | Action::Report { .. } | Action::ShowLoading
            )),
            "a quiet recheck: {:?}",
            again.log
        );
        let next = again.boot.poll_timeout().unwrap() - due;
        assert!((30_000.0..=60_000.0).contains(&next), "seed {seed}: {next}");
        again.advance(due + next);
        assert_eq!(recheck_asked(&again).map(|r| r.round), Some(2));
    }
    // The wait doubles up to recheckMaxMs, 3 minutes by default.
    let late = Recovering { round: 12, since_ms: 0.0, code: Code::ConfigMissing, by_agent: false };
    let sim = boot_at(1e6, BROKEN, Some(late), Options::default(), 7);
    let wait = sim.boot.poll_timeout().unwrap() - 1e6;
    assert!((90_000.0..=180_000.0).contains(&wait), "{wait}");
}

#[test]
fn a_recheck_that_finds_a_release_boots_it_in_the_same_page_and_says_how_long_the_screen_showed() {
    let since = Recovering { round: 3, since_ms: 1_000.0, code: Code::ConfigMissing, by_agent: false };
    let mut sim = boot_at(91_000.0, API, Some(since), Options::default(), 5);
    let at =
        sim.log.iter().position(|a| *a == Action::ShowLoading).expect("the loading state replaces the error screen");
    assert!(sim.log[at..].iter().any(|a| matches!(a, Action::Inject(_))));
    sim.ready();
    let report = sim.report();
    assert_eq!(report.get("outcome").and_then(Value::as_str), Some("ready"));
    assert_eq!(report.get("errorScreenMs"), Some(&Value::Number(90_000.0)));
    assert_eq!(report.get("recovered"), Some(&Value::Bool(true)));
    // A panel that is up stays as it is: no recheck.
    assert_eq!(sim.boot.poll_timeout(), None);
}

#[test]
fn rechecks_wait_while_the_page_is_hidden_and_for_what_the_server_says() {
    let mut sim = boot_at(0.0, BROKEN, None, Options::default(), 1);
    let due = sim.boot.poll_timeout().unwrap();
    sim.send(Event::Visibility { hidden: true });
    assert_eq!(sim.boot.poll_timeout(), None, "no recheck while hidden");
    sim.advance(600_000.0);
    assert_eq!(recheck_asked(&sim), None);
    sim.send(Event::Visibility { hidden: false });
    assert_eq!(sim.boot.poll_timeout(), Some(600_000.0 + due), "the time left, from when it shows again");
    // Retry-After (seconds) and Cache-Control's max-age hold the next one back.
    let mut told = Sim::new(Options::default());
    told.boot.start(Start { now_ms: 0.0, wall_ms: WALL, seed: 1, ..Start::default() });
    told.send(Event::Hints { retry_after: Some("120".into()), cache_control: Some("public, max-age=60".into()) });
    load_needing_api(&mut told, BROKEN);
    assert_eq!(told.boot.poll_timeout(), Some(120_000.0));
    // recheckMs 0: the host page turned rechecks off.
    let off = boot_at(0.0, BROKEN, None, Options { recheck_ms: 0.0, ..Options::default() }, 1);
    assert_eq!(off.boot.poll_timeout(), None);
}

#[test]
fn a_recheck_that_tries_a_release_and_sees_it_fail_shows_and_reports_it_and_a_quarantine_keeps_the_screen_quiet() {
    // The screen says config.missing; the recheck finds the configuration
    // fixed, starts the release, and its panel throws: that is news.
    let since = Recovering { round: 1, since_ms: 0.0, code: Code::ConfigMissing, by_agent: false };
    let mut sim = boot_at(30_000.0, API, Some(since), Options::default(), 3);
    sim.send(Event::PanelFailed { attempt: 1, code: Code::PanelThrew, detail: "boom".into() });
    assert_eq!(sim.error_code(), Some(Code::PanelThrew));
    assert!(sim.log.iter().any(|a| matches!(a, Action::ShowError(_))), "the screen says what happened");
    assert!(sim.log.iter().any(|a| matches!(a, Action::Report { .. })));
    // Even with the same code as the screen: a release was tried and failed.
    let same = Recovering { round: 1, since_ms: 0.0, code: Code::PanelThrew, by_agent: false };
    let mut again = boot_at(30_000.0, API, Some(same), Options::default(), 3);
    again.send(Event::PanelFailed { attempt: 1, code: Code::PanelThrew, detail: "boom".into() });
    assert!(again.log.iter().any(|a| matches!(a, Action::ShowError(_))), "never a spinner left in place of the screen");
    // The next recheck finds that release quarantined on this device (the
    // record the failure left): the screen keeps its cause, quietly.
    let stored = again.stored().to_json();
    let mut quiet = Sim::new(Options::default());
    quiet.now = 60_000.0;
    quiet.boot.start(Start { now_ms: 60_000.0, wall_ms: WALL, seed: 3, recovering: Some(same), ..Start::default() });
    let needs_api = manifest(&[release(
        "2026.11.1",
        r#", "config": {"variables": {"API_URL": {"type": "url", "required": true}}}"#,
    )]);
    quiet.send(Event::Loaded(Doc::Manifest, Ok(json(&needs_api))));
    quiet.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    quiet.send(Event::Loaded(Doc::Record, Ok(json(&stored))));
    assert!(quiet.codes().contains(&"release.quarantined"), "{:?}", quiet.codes());
    assert!(
        !quiet.log.iter().any(|a| matches!(a, Action::ShowError(_) | Action::Report { .. } | Action::SetState(_))),
        "{:?}",
        quiet.log
    );
    assert!(quiet.boot.poll_timeout().is_some(), "and it rechecks again");
}

#[test]
fn a_pinned_release_reports_no_rollout_and_a_servers_wait_is_bounded() {
    let (_, outside) = on_each_side();
    let pinned =
        format!(r#"{{"format": 1, "pin": "2026.12.0", "releases": [{}]}}"#, release("2026.12.0", r#", "rollout": 0"#));
    let mut sim = desk(&outside, &pinned, None);
    sim.ready();
    assert_eq!(sim.report().get("rollout"), Some(&Value::Null));
    // A day's max-age holds the next recheck back by recheckMaxMs at most.
    let mut told = Sim::new(Options::default());
    told.boot.start(Start { now_ms: 0.0, wall_ms: WALL, seed: 1, ..Start::default() });
    told.send(Event::Hints { retry_after: None, cache_control: Some("max-age=86400".into()) });
    load_needing_api(&mut told, BROKEN);
    assert_eq!(told.boot.poll_timeout(), Some(DEFAULT_RECHECK_MAX_MS));
}

#[test]
fn try_again_is_a_recheck_at_once_that_shows_and_reports_and_keeps_the_backoff_and_the_screens_start() {
    for options in [Options::default(), Options { recheck_ms: 0.0, ..Options::default() }] {
        let mut sim = boot_at(0.0, BROKEN, None, options.clone(), 4);
        assert_eq!(sim.error_code(), Some(Code::ConfigMissing));
        sim.now = 5_000.0;
        sim.send(Event::Retry);
        let clicked = recheck_asked(&sim).expect("the click starts the boot again");
        assert_eq!(clicked, Recovering { round: 1, since_ms: 0.0, code: Code::ConfigMissing, by_agent: true });
        assert_eq!(sim.boot.poll_timeout(), None, "the click took the pending recheck's place");
        // The clicked boot shows the loading state and, failing the same
        // way, the screen and a report again: the agent sees it was heard.
        let mut again = boot_at(5_000.0, BROKEN, Some(clicked), options.clone(), 4);
        assert!(again.log.iter().any(|a| matches!(a, Action::SetState(s) if s.state == State::Loading)));
        assert!(again.log.iter().any(|a| matches!(a, Action::ShowError(_))));
        assert!(again.log.iter().any(|a| matches!(a, Action::Report { .. })));
        if options.recheck_ms > 0.0 {
            // The backoff goes on from where it was: the next wait is round 2's.
            let wait = again.boot.poll_timeout().unwrap() - 5_000.0;
            assert!((30_000.0..=60_000.0).contains(&wait), "{wait}");
        }
        again.send(Event::Retry);
        let twice = recheck_asked(&again).unwrap();
        assert_eq!((twice.round, twice.since_ms), (2, 0.0));
        // Fixed by then: the report counts the screen from when it first showed.
        let mut fixed = boot_at(65_000.0, API, Some(twice), options, 4);
        fixed.ready();
        assert_eq!(fixed.report().get("errorScreenMs"), Some(&Value::Number(65_000.0)));
    }
    // A boot that is not on the error screen has nothing to try again.
    let mut up = boot_at(0.0, API, None, Options::default(), 4);
    up.ready();
    up.send(Event::Retry);
    assert_eq!(recheck_asked(&up), None);
}

#[test]
fn a_panel_that_renders_after_ready_is_judged_at_the_frames_that_follow() {
    // React's createRoot().render() then ready(): the mount point is still
    // empty at the call, and shows the panel a frame later.
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.loaded();
    sim.send(Event::PanelReady { attempt: 1 });
    assert_eq!(sim.log.last(), Some(&Action::Look { attempt: 1, after_frame: true }), "nothing is judged at the call");
    sim.now = 16.0;
    sim.send(Event::Looked { attempt: 1, rendered: Rendering::NOTHING });
    assert_eq!(
        sim.log.last(),
        Some(&Action::Look { attempt: 1, after_frame: true }),
        "another look, at the next frame"
    );
    sim.now = 33.0;
    sim.send(Event::Looked { attempt: 1, rendered: Rendering::PANEL });
    assert_eq!(sim.boot.state(), State::Ready);
    assert_eq!(sim.last_attempt().release_id, "r2");
    assert!(sim.log.contains(&Action::Measure { name: "ready", start_ms: 0.0, end_ms: 33.0 }), "ready when it showed");
}

#[test]
fn the_bound_after_ready_runs_hidden_or_not_and_a_look_without_a_frame_decides_when_none_comes() {
    let mut sim = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    sim.loaded();
    sim.send(Event::PanelReady { attempt: 1 });
    sim.send(Event::Looked { attempt: 1, rendered: Rendering::NOTHING });
    assert_eq!(sim.boot.poll_timeout(), Some(RENDER_BOUND_MS));
    // Hidden: no frame comes, so the next looks need none; the bound runs on.
    sim.send(Event::Visibility { hidden: true });
    sim.send(Event::Looked { attempt: 1, rendered: Rendering::NOTHING });
    assert_eq!(sim.log.last(), Some(&Action::Look { attempt: 1, after_frame: false }));
    sim.advance(RENDER_BOUND_MS - 1.0);
    assert_eq!(sim.boot.state(), State::Booting);
    sim.advance(RENDER_BOUND_MS);
    assert_eq!(sim.errors(), vec!["panel.empty"]);
    assert_eq!(sim.last_attempt().release_id, "r1");
    // A page that says it is visible but gets no frame (a window the engine
    // does not paint): past the bound, one look without a frame decides.
    let mut slow = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    slow.loaded();
    slow.send(Event::PanelReady { attempt: 1 });
    slow.advance(5_000.0);
    assert_eq!(slow.boot.state(), State::Booting, "not judged without a look");
    assert_eq!(slow.log.last(), Some(&Action::Look { attempt: 1, after_frame: false }));
    assert_eq!(slow.boot.poll_timeout(), None);
    slow.send(Event::Looked { attempt: 1, rendered: Rendering::PANEL });
    assert_eq!(slow.boot.state(), State::Ready);
    // A hidden page's first look needs no frame either.
    let mut hidden = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    hidden.send(Event::Visibility { hidden: true });
    hidden.loaded();
    hidden.send(Event::PanelReady { attempt: 1 });
    assert_eq!(hidden.log.last(), Some(&Action::Look { attempt: 1, after_frame: false }));
}

/// Integrity values of the code-split release's two chunks.
fn chunk_sri(which: char) -> String {
    format!("sha384-{}{which}", "A".repeat(63))
}

/// A release of a code-split panel: its stylesheet, a vendor chunk, a lazy chunk, its entry module.
fn split(id: &str) -> String {
    format!(
        r#"{{"id": "{id}", "assets": [
            {{"type": "style", "url": "/p/{id}/main.css", "integrity": "{SHA}"}},
            {{"type": "chunk", "url": "/p/{id}/vendor.js", "integrity": "{}"}},
            {{"type": "chunk", "url": "/p/{id}/lazy.js", "integrity": "{}"}},
            {{"type": "module", "url": "/p/{id}/main.js", "integrity": "{SHA}"}}]}}"#,
        chunk_sri('B'),
        chunk_sri('C')
    )
}

#[test]
fn a_release_with_chunks_starts_only_where_the_pages_import_map_checks_each_and_waits_for_no_chunk() {
    let id = "r2";
    let m = manifest(&[split(id), release("r1", "")]);
    let both = vec![chunk_sri('B'), chunk_sri('C')];
    let boot = |listed: Option<Vec<String>>| {
        let mut sim = Sim::new(Options { import_map_integrity: listed, ..Options::default() });
        sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
        sim.send(Event::Loaded(Doc::Manifest, Ok(json(&m))));
        sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
        sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
        sim
    };
    // The page's map lists both chunks: the release starts, and is ready
    // once its stylesheet and entry are in: the chunks are the browser's.
    let mut sim = boot(Some(both.clone()));
    assert_eq!(sim.last_attempt().release_id, id);
    sim.send(Event::PanelRegistered { attempt: 1, registration: 0 });
    sim.send(Event::AssetLoaded { attempt: 1, index: 0 });
    sim.send(Event::AssetLoaded { attempt: 1, index: 3 });
    sim.said_ready(1, Rendering::PANEL);
    assert_eq!(sim.boot.state(), State::Ready);
    // The ready release is cached whole, chunks too.
    let cached =
        sim.log.iter().find_map(|a| if let Action::CacheAssets { assets, .. } = a { Some(assets.len()) } else { None });
    assert_eq!(cached, Some(4));
    // No map, or one that misses a chunk: the browser would not check it,
    // so the release never starts.
    for listed in [Some(vec![]), Some(vec![both[0].clone()])] {
        let sim = boot(listed);
        assert_eq!(sim.attempts()[0].release_id, "r1");
        let p = sim.boot.problems().iter().find(|p| p.code == Code::BundleIntegrity).expect("named");
        assert!(p.message.contains("the page's import map gives no integrity for it"), "{}", p.message);
        assert!(p.message.contains("lazy"), "{}", p.message);
    }
    // Where no page is known (the CLI), the map is not judged.
    assert_eq!(boot(None).last_attempt().release_id, id);
    // A chunk needs integrity even where the host page lets same-origin files go without.
    let bare =
        manifest(&[split(id).replace(&format!(r#", "integrity": "{}""#, chunk_sri('B')), ""), release("r1", "")]);
    let mut sim = Sim::new(Options {
        same_origin_without_integrity: true,
        page_origin: "https://desk.example".into(),
        ..Options::default()
    });
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&bare))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.attempts()[0].release_id, "r1");
    let p = sim.boot.problems().iter().find(|p| p.is_error() && p.code == Code::BundleIntegrity).expect("named");
    assert_eq!(p.message, "/p/r2/vendor.js: no integrity, and the host page does not allow that for this file");
}

// The requests in flight: the core keeps their deadlines (`boot/requests.rs`),
// and the shell only aborts what the core says.

/// A boot whose manifest and configuration are fetched from URLs.
fn fetched(options: Options) -> (Sim, Vec<Action>) {
    let mut sim = Sim::new(Options {
        manifest: Source::Url("/manifest.json".into()),
        config: vec![Source::Url("/config.json".into())],
        ..options
    });
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    let first = sim.drain();
    (sim, first)
}

#[test]
fn a_document_that_never_arrives_times_out_in_the_core_and_its_fetch_is_aborted() {
    let (mut sim, first) = fetched(Options { fetch_timeout_ms: 8_000.0, ..Options::default() });
    assert!(first.contains(&Action::Fetch { doc: Doc::Manifest, url: "/manifest.json".into(), revalidate: false }));
    assert!(first.contains(&Action::Load(Doc::Record)), "the record is read in the page");
    assert_eq!(sim.boot.poll_timeout(), Some(8_000.0), "the fetch's deadline is the core's timer");
    sim.send(Event::Text(Doc::Config(0), Ok(API.into())));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    sim.advance(7_999.0);
    assert!(!sim.log.contains(&Action::Abort(Doc::Manifest)), "not before its time");
    sim.advance(8_000.0);
    assert!(sim.log.contains(&Action::Abort(Doc::Manifest)));
    assert_eq!(sim.error_code(), Some(Code::ManifestUnreadable));
    assert!(
        sim.boot.problems().iter().any(|p| p.message.contains("/manifest.json: no answer within 8 s")),
        "{:?}",
        sim.boot.problems()
    );
    // The aborted fetch's late answer changes nothing.
    let state = sim.boot.state();
    sim.send(Event::Text(Doc::Manifest, Ok(manifest(&[release("r1", "")]))));
    assert_eq!(sim.boot.state(), state);
    assert_eq!(sim.attempts().len(), 0);
}

#[test]
fn a_document_in_time_clears_its_deadline_and_a_recheck_revalidates() {
    let (mut sim, _) = fetched(Options { fetch_timeout_ms: 8_000.0, ..Options::default() });
    sim.now = 300.0;
    sim.send(Event::Text(Doc::Manifest, Ok(manifest(&[release("r1", "")]))));
    sim.send(Event::Text(Doc::Config(0), Ok(API.into())));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.last_attempt().release_id, "r1");
    assert_eq!(sim.boot.poll_timeout(), Some(300.0 + 10_000.0), "only the ready deadline is left");
    assert!(!sim.log.iter().any(|a| matches!(a, Action::Abort(_))));

    let mut again = Sim::new(Options { config: vec![Source::Url("/config.json".into())], ..Options::default() });
    let recovering = Recovering { since_ms: 0.0, code: Code::ManifestUnreadable, by_agent: false, round: 1 };
    again.boot.start(Start { recovering: Some(recovering), ..Start::default() });
    let first = again.drain();
    assert!(first.contains(&Action::Fetch { doc: Doc::Config(0), url: "/config.json".into(), revalidate: true }));
}

#[test]
fn a_documents_text_is_read_in_the_core_within_the_size_limits() {
    let (mut sim, _) = fetched(Options::default());
    let huge = format!(r#"{{"values": {{"X": "{}"}}}}"#, "x".repeat(1024 * 1024));
    sim.send(Event::Text(Doc::Config(0), Ok(huge)));
    sim.send(Event::Text(Doc::Manifest, Ok("{\"format\": 1, \"releases\": [".into())));
    let record = format!(r#"{{"format": 1, "pad": "{}"}}"#, "x".repeat(70 * 1024));
    sim.send(Event::Text(Doc::Record, Ok(record)));
    let messages: Vec<&str> = sim.boot.problems().iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("/config.json:") && m.contains("larger than the limit of 1048576")),
        "{messages:?}"
    );
    assert_eq!(sim.codes(), ["manifest.malformed", "config.unreadable", "record.discarded"]);
    assert!(messages.iter().any(|m| m.contains("more than 65536")), "{messages:?}");
}

#[test]
fn the_report_post_has_a_deadline_in_the_core() {
    let to = "https://collector.example/report";
    let mut sim = Sim::new(Options { report_url: Some(to.into()), report_timeout_ms: 5_000.0, ..Options::default() });
    sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
    sim.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[])))));
    sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    assert_eq!(sim.boot.state(), State::Failed);
    let sent = sim.log.iter().find_map(|a| if let Action::Report { to, .. } = a { Some(to.clone()) } else { None });
    assert_eq!(sent, Some(Some(to.to_owned())), "posted where the host page said");
    assert_eq!(sim.boot.poll_timeout(), Some(5_000.0), "the report's deadline comes before the recheck");
    sim.advance(4_999.0);
    assert!(!sim.log.contains(&Action::AbortReport));
    sim.advance(5_000.0);
    assert!(sim.log.contains(&Action::AbortReport), "no answer in time: the core has the post aborted");
    // An answer after the deadline is not taken for a delivery.
    let before = sim.updates().len();
    sim.send(Event::ReportSent { delivered: true });
    assert_eq!(sim.updates().len(), before);

    // In time, it is; and without an endpoint nothing is posted or awaited.
    let mut quick = Sim::new(Options { report_url: Some(to.into()), ..Options::default() });
    quick.boot.start(Start::default());
    quick.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[])))));
    quick.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
    quick.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
    quick.now = 100.0;
    quick.send(Event::ReportSent { delivered: true });
    assert!(quick.updates().iter().any(|u| matches!(u, Update::Delivered(_))));
    let mut none = Sim::boot(&manifest(&[]), API, None);
    none.drain();
    assert!(none.log.iter().any(|a| matches!(a, Action::Report { to: None, .. })));
    none.send(Event::ReportSent { delivered: true });
    assert!(!none.updates().iter().any(|u| matches!(u, Update::Delivered(_))));
}

#[test]
fn an_empty_mount_point_gets_the_loading_state_from_the_core() {
    let mut sim = Sim::new(Options::default());
    sim.boot.start(Start { mount_empty: true, ..Start::default() });
    let first = sim.drain();
    let shown = first.iter().position(|a| *a == Action::ShowLoading).expect("the loading state");
    let loading = first.iter().position(|a| matches!(a, Action::SetState(s) if s.state == State::Loading)).unwrap();
    assert!(loading < shown);
    let mut page = Sim::new(Options::default());
    page.boot.start(Start { mount_empty: false, ..Start::default() });
    assert!(!page.drain().contains(&Action::ShowLoading), "the page's own loading state stays");
}

/// A release of a module with two chunks, each listed in the page's import map.
fn chunked(id: &str) -> String {
    let asset =
        |kind: &str, name: &str| format!(r#"{{"type": "{kind}", "url": "p/{id}/{name}.js", "integrity": "{SHA}"}}"#);
    let assets = [asset("module", "entry"), asset("chunk", "vendor"), asset("chunk", "lazy")].join(",");
    format!(r#"{{"id": "{id}", "assets": [{assets}]}}"#)
}

#[test]
fn a_module_served_intact_has_its_chunks_looked_at_and_the_one_at_fault_named() {
    let boot = |found: Vec<(String, Diagnosis)>| {
        let options = Options { import_map_integrity: Some(vec![SHA.into()]), ..Options::default() };
        let mut sim = Sim::new(options);
        sim.boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
        sim.send(Event::Loaded(Doc::Manifest, Ok(json(&manifest(&[chunked("r2"), release("r1", "")])))));
        sim.send(Event::Loaded(Doc::Config(0), Ok(json(API))));
        sim.send(Event::Loaded(Doc::Record, Ok(Value::Null)));
        let id = sim.last_attempt().id;
        // The module is served intact: the core asks for its chunks, and does not fail it yet.
        let asked = sim.send(Event::AssetFailed { attempt: id, url: "p/r2/entry.js".into(), diagnosis: intact() });
        let chunks = vec![("p/r2/vendor.js".to_owned(), SHA.to_owned()), ("p/r2/lazy.js".to_owned(), SHA.to_owned())];
        assert_eq!(asked, [Action::LookAtChunks { attempt: id, module: "p/r2/entry.js".into(), chunks }]);
        sim.send(Event::ChunksLooked { attempt: id, module: "p/r2/entry.js".into(), found });
        sim
    };
    let sim = boot(vec![("p/r2/vendor.js".to_owned(), intact()), ("p/r2/lazy.js".to_owned(), mismatch())]);
    assert_eq!(sim.last_attempt().release_id, "r1");
    let at_fault = sim.boot.problems().iter().find(|p| p.code == Code::BundleIntegrity).expect("bundle.integrity");
    assert!(at_fault.message.starts_with("p/r2/lazy.js: "), "{}", at_fault.message);
    // Every chunk intact: the module's own failure was passing, and it is retried.
    let sim = boot(vec![("p/r2/vendor.js".to_owned(), intact()), ("p/r2/lazy.js".to_owned(), intact())]);
    let passing = sim.boot.problems().iter().find(|p| p.code == Code::BundleLoadFailed).expect("bundle.load_failed");
    assert!(
        passing.message.starts_with("p/r2/entry.js: failed to load, but is served intact now"),
        "{}",
        passing.message
    );
    // A module that is not served intact is at fault itself: no chunk is looked at.
    let mut direct = Sim::boot(&manifest(&[release("r2", ""), release("r1", "")]), API, None);
    direct.asset_failed(mismatch());
    assert!(!direct.log.iter().any(|a| matches!(a, Action::LookAtChunks { .. })));
    assert_eq!(direct.last_attempt().release_id, "r1");
}

#[test]
fn files_from_the_cache_run_only_once_the_core_has_compared_their_digests() {
    for (digest, runs) in [(vec![0u8; 48], true), (vec![7u8; 48], false)] {
        let mut sim = offline_with_a_known_good(&known_good_r1());
        let attempt = sim.last_attempt().clone();
        assert!(attempt.from_cache);
        sim.send(Event::CacheRead { attempt: attempt.id, digests: vec![(0, digest)] });
        assert_eq!(sim.log.contains(&Action::RunCached { attempt: attempt.id }), runs);
        if !runs {
            assert_eq!(sim.boot.state(), State::Failed);
            assert!(sim.boot.problems().iter().any(|p| p.message.ends_with("not intact in the cache")));
        }
    }
}
